# Xok/ExOS: one `make` builds everything into obj/ (git ignores it).
#   make        build the kernel, user programs and host tools
#   make run    boot Xok in QEMU on this terminal's serial console
#   make test   install what is missing, build, run every test
#   make gdb    boot halted and attach gdb with the kernel's symbols
#   make disk   the boot disk image, $(O)/disk.img (mk/root.list)
# See README.md. Each folder adds its rules in its own Makefrag.

O := obj
CC := gcc
LD := ld
HOST_CC := gcc

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

# ---- Flags. Each flag is explained once, where it first appears. ----------

# Shared by every compilation:
COMMON_CFLAGS := \
	-std=gnu11 \
	-O2 \
	-g \
	-Wall -Wextra -Werror \
	-MMD -MP \
	-Ixok/include -I$(O)/gen/include
# -std=gnu11: C11 plus the GNU extensions the kernel uses (asm, attributes).
# -O2, -g: optimised code that gdb and backtraces can still read.
# -Wall -Wextra -Werror: every warning is a build failure.
# -MMD -MP: write header dependencies next to each object.
# -I: the user/kernel ABI (<xok/...>), hand-written and generated.

# Code that runs with no C library under it (kernel and native programs):
FREESTANDING_CFLAGS := \
	-ffreestanding \
	-fno-stack-protector \
	-fno-pic -fno-pie \
	-fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables
# -ffreestanding: no hosted libc is assumed (lib/ supplies what is needed).
# -fno-stack-protector: there is no canary runtime to call.
# -fno-pic -fno-pie: absolute addresses; both images have fixed locations.
# -fno-omit-frame-pointer: keeps %rbp chains, which backtraces follow.
# -fno-asynchronous-unwind-tables: no .eh_frame; nothing unwinds.

KERNEL_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING_CFLAGS) \
	-mcmodel=kernel \
	-mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-Ixok -I$(O)/gen/xok
# -mcmodel=kernel: the kernel lives in the top 2 GiB of the address space.
# -mno-red-zone: interrupts push onto the kernel stack below %rsp.
# -mno-sse ... -mno-80387: the kernel never touches user FPU/SSE state, so
#   it need not save it on every entry.

USER_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING_CFLAGS)

KERNEL_LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack
# -z max-page-size=4096: segments aligned to pages, not 2 MiB.
# -z noexecstack: no executable-stack note.

USER_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 \
	-z noexecstack -Wl,--build-id=none
# -static -no-pie: a static ET_EXEC, which the kernel's loader accepts.
# --build-id=none: no .note.gnu.build-id segment to load.

HOST_CFLAGS := $(COMMON_CFLAGS) -fsanitize=address,undefined
# -fsanitize=address,undefined: host tests also catch memory errors and UB.

# ---- Rebuild what a changed flag affects. ---------------------------------
# $(O)/flags/NAME holds the flag set NAME and is rewritten only when the
# flags change; every object built with that set depends on it.
FORCE:
$(O)/flags/%: FORCE
	@mkdir -p $(@D)
	@echo '$($*)' | cmp -s - $@ || echo '$($*)' > $@

# ---- Pattern rules, one per target world. ----------------------------------
$(O)/kernel/%.o: %.c $(O)/flags/KERNEL_CFLAGS | generated
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(O)/kernel/%.o: %.S $(O)/flags/KERNEL_CFLAGS | generated
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

$(O)/user/%.o: %.c $(O)/flags/USER_CFLAGS | generated
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(O)/user/%.o: %.S $(O)/flags/USER_CFLAGS | generated
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

# Host objects do not wait for generated headers: the generator is one.
$(O)/host/%.o: %.c $(O)/flags/HOST_CFLAGS
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# lib/string.c implements memcpy and friends: the compiler must not turn
# its loops back into calls to them.
NO_BUILTIN := -fno-builtin -fno-tree-loop-distribute-patterns
$(O)/kernel/lib/string.o: lib/string.c $(O)/flags/KERNEL_CFLAGS
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) $(NO_BUILTIN) -c -o $@ $<
$(O)/user/lib/string.o: lib/string.c $(O)/flags/USER_CFLAGS
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NO_BUILTIN) -c -o $@ $<

include libexos/Makefrag
include mkimage/Makefrag
include libos-nest/Makefrag
include bin/Makefrag
include xok/Makefrag
include tests/Makefrag
include tests/bench/Makefrag

.PHONY: all generated run gdb test deps clean bench bench-smoke disk fuzz-cffs FORCE
all: $(KERNEL) $(HOST_TOOLS) $(EXOS_IMAGE)

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
