/*
 * kmain: the C entry point, called by boot.S with the PVH start_info.
 */
#ifndef KERN_KMAIN_H
#define KERN_KMAIN_H

#include <stdint.h>

void kmain(uint32_t start_info_pa) __attribute__((noreturn));

#endif
