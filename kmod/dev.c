// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rcumap: the misc device through which user space makes and uses
 * maps.
 *
 * Conventions: @rf is the struct rcumap_file of an open file, kept in
 * @filp->private_data.  One open file holds one map: open() allocates an
 * empty @rf, the first RCUMAP_IOC_CREATE makes the map (kmod/ioctl.c), and
 * release(), called once the last reference to the file is gone, destroys
 * it.
 *
 * Locking: open() and release() take no lock.  release() cannot race with
 * an ioctl on the same file, since every ioctl holds a reference to it,
 * nor with another release().  The module cannot be unloaded while a file
 * is open: each holds a reference to the module (fops.owner).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "internal.h"

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
	mutex_init(&rf->create_lock);
	/* misc_open() left the struct miscdevice here; we have no use for it. */
	filp->private_data = rf;
	return 0;
}

static int rcumap_release(struct inode *inode, struct file *filp)
{
	struct rcumap_file *rf = filp->private_data;

	rcumap_file_destroy_map(rf);
	mutex_destroy(&rf->create_lock);
	kfree(rf);
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
