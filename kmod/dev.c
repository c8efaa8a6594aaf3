// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rcumap: the misc device through which user space makes and uses
 * maps.
 *
 * Conventions: @rf is the struct rcumap_file of an open file, kept in
 * @filp->private_data.  One open file holds one map: open() allocates an
 * empty @rf, the first RCUMAP_IOC_CREATE makes the map (kmod/ioctl.c).
 * RCUMAP_IOC_DUP_RDONLY makes more files, read-only ones (anonymous inodes
 * with these same fops), that hold the same @rf; @rf counts the files
 * that hold it, and the release() of the last one destroys the map.
 *
 * Locking: open() and release() take no lock.  A release() cannot race
 * with an ioctl on the same file, since every ioctl holds a reference to
 * it; the releases of two files of one @rf may run at once, and the
 * refcount lets only the last one free it.  The module cannot be unloaded
 * while a file is open: each holds a reference to the module (fops.owner,
 * taken by the VFS for open() and by anon_inode_getfile() for DUP_RDONLY).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dev.h"

static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Permissions of /dev/rcumap, at most 0666 (default 0600)");

static int rcumap_open(struct inode *inode, struct file *filp)
{
	struct rcumap_file *rf;

	/* Charged, like the map, to whoever opens the device. */
	rf = kzalloc(sizeof(*rf), GFP_KERNEL_ACCOUNT);
	if (!rf)
		return -ENOMEM;
	refcount_set(&rf->users, 1);
	mutex_init(&rf->create_lock);
	mutex_init(&rf->del_lock);
	/* misc_open() left the struct miscdevice here; we have no use for it. */
	filp->private_data = rf;
	return 0;
}

/*
 * Drop a file's reference to @rf; the last one destroys the map and frees
 * @rf.  Each file drops its own reference once, in its release(), after
 * its last ioctl has returned: when the count reaches zero no file holds
 * @rf, so nothing can reach it but readers of the map still inside an RCU
 * read-side critical section, which the map's deferred frees wait for.
 */
static void rcumap_file_put(struct rcumap_file *rf)
{
	if (!refcount_dec_and_test(&rf->users))
		return;
	rcumap_file_destroy_map(rf);
	mutex_destroy(&rf->del_lock);
	mutex_destroy(&rf->create_lock);
	kfree(rf);
}

static int rcumap_release(struct inode *inode, struct file *filp)
{
	rcumap_file_put(filp->private_data);
	return 0;
}

static const struct file_operations rcumap_fops = {
	.owner = THIS_MODULE,
	.open = rcumap_open,
	.release = rcumap_release,
	.unlocked_ioctl = rcumap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * rcumap_file_open_rdonly() - Make a read-only file of a map.
 * @rf: The state of a file that holds a map; the caller is an ioctl on
 *	that file.
 *
 * The new file has the device's fops and @rf as its private_data, and
 * holds a reference to @rf of its own, dropped by its release(): the map
 * lives until the last file that holds it is closed.  It is open for
 * reading only (FMODE_READ), which is what keeps the ioctls that change
 * the map off it.
 *
 * Context: Process context.  May sleep.
 * Return: The new file, not yet installed in any descriptor table, or an
 * ERR_PTR(): -ENFILE or -ENOMEM.
 */
struct file *rcumap_file_open_rdonly(struct rcumap_file *rf)
{
	struct file *filp;

	/* Not from 0: the caller's file holds a reference for the call. */
	refcount_inc(&rf->users);
	filp = anon_inode_getfile("[rcumap]", &rcumap_fops, rf, O_RDONLY);
	/* No file, no release(): give the reference back (never the last). */
	if (IS_ERR(filp))
		rcumap_file_put(rf);
	return filp;
}

static struct miscdevice rcumap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rcumap",
	.fops = &rcumap_fops,
};

/**
 * rcumap_dev_init() - Register /dev/rcumap.
 *
 * Called from module init once everything the maps need is set up: the
 * device can be opened as soon as it is registered.
 *
 * Context: Process context.  Takes the misc device list's mutex.
 * Return: 0, -EINVAL if the dev_mode parameter has bits outside 0666, or
 * the error of misc_register().
 */
int __init rcumap_dev_init(void)
{
	if (dev_mode & ~0666) {
		pr_err("dev_mode %#o: only read and write bits may be set\n",
		       dev_mode);
		return -EINVAL;
	}
	rcumap_misc.mode = dev_mode;
	return misc_register(&rcumap_misc);
}

/**
 * rcumap_dev_exit() - Unregister /dev/rcumap.
 *
 * Called first thing in module exit.  No file of the device is open then
 * (each holds a module reference), so no map is left either; maps
 * destroyed earlier may still be waiting for their grace period, which
 * module exit then waits for.
 *
 * Context: Process context.  Takes the misc device list's mutex.
 */
void __exit rcumap_dev_exit(void)
{
	misc_deregister(&rcumap_misc);
}
