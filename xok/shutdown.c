/*
 * shutdown: isa-debug-exit when present, then ACPI power-off as QEMU's q35
 * and pc machines wire it, then halt.
 */
#include "shutdown.h"

#include "x86.h"

#define DEBUG_EXIT_PORT 0xf4
#define Q35_PM1A_CNT 0x604
#define PIIX_PM1A_CNT 0xb004
#define SLP_EN_S5 0x2000

void machine_exit(int code)
{
	cli();
	outl(DEBUG_EXIT_PORT, code);
	outw(Q35_PM1A_CNT, SLP_EN_S5);
	outw(PIIX_PM1A_CNT, SLP_EN_S5);
	for (;;)
		hlt();
}
