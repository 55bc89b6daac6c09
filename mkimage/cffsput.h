/*
 * cffsput: cffs-mkfs's -d: copies a host folder into a C-FFS, as
 * mke2fs -d does for ext2.
 */
#ifndef MKIMAGE_CFFSPUT_H
#define MKIMAGE_CFFSPUT_H

#include <stdio.h>

#include "../libfs-cffs/blk.h"

/*
 * Copies the tree of host folder `folder` into the root directory of
 * `b`: regular files (runs of zero blocks left as holes), directories,
 * symbolic links, with their modes, times and owners (0:0 for all with
 * `root_owner`); the root directory takes the folder's attributes.
 * Names each path it cannot store (a device node, FIFO or socket; a name
 * longer than CFFS_NAME_MAX, a tree deeper than C-FFS's path walk goes,
 * no space left: what cffs_create refuses) with a line on `err`.
 * Returns the number of such problems: 0 if everything was copied.
 */
int cffsput_tree(struct cffs_blk *b, const char *folder, int root_owner,
		 FILE *err);

#endif
