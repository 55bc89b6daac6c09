/*
 * The user half of every address space, as Xok fixes it. Everything user
 * code may rely on about addresses is defined here, once.
 *
 *  0x0000_7fff_ffff_ffff  top of the user half
 *  XOK_USER_TOP           user code may map pages below this; the 512 GiB
 *                         above it are reserved for read-only mappings of
 *                         kernel data exposed to every environment
 *  XOK_USTACK_TOP         top of the stack of an environment the kernel loads
 *  0x0000_0000_0040_0000  where static programs are usually linked
 *  0                      page 0 is never mapped by the kernel
 */
#ifndef XOK_MEMLAYOUT_H
#define XOK_MEMLAYOUT_H

#define XOK_PAGE_SHIFT 12
#define XOK_PAGE_SIZE (1ull << XOK_PAGE_SHIFT)

#define XOK_USER_TOP   0x00007f8000000000ull
#define XOK_USTACK_TOP 0x00007f0000000000ull
/* Pages of stack the kernel maps for an environment it loads itself. */
#define XOK_USTACK_PAGES 4

#endif
