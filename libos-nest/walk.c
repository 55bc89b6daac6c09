/*
 * walk: see walk.h.
 */
#include "walk.h"

#include "../bin/rt/rt.h"

#define ENTRIES 512

/* From the top: a level is readable only where the one above is
 * present. */
int64_t nest_walk(uint64_t env, int64_t (*fn)(uint64_t va, uint64_t pte,
						void *arg), void *arg)
{
	if (xok_pt_view(env) < 0)
		return E_BADENV;
	for (uint64_t i = 0; i < XOK_UVPT_SLOT; i++) {
		uint64_t v4 = i << 39;

		if (!(*XOK_VPT_PML4E(XOK_UVIEW, XOK_UVPT_SLOT, v4) & XOK_PTE_P))
			continue;
		for (uint64_t j = 0; j < ENTRIES; j++) {
			uint64_t v3 = v4 | j << 30;

			if (!(*XOK_VPT_PDPTE(XOK_UVIEW, XOK_UVPT_SLOT, v3) &
			      XOK_PTE_P))
				continue;
			for (uint64_t k = 0; k < ENTRIES; k++) {
				uint64_t v2 = v3 | k << 21;

				if (!(*XOK_VPT_PDE(XOK_UVIEW, XOK_UVPT_SLOT, v2) &
				      XOK_PTE_P))
					continue;
				for (uint64_t l = 0; l < ENTRIES; l++) {
					uint64_t va = v2 | l << 12;
					uint64_t pte = *XOK_VPT_PTE(XOK_UVIEW, va);
					int64_t r;

					if (!(pte & XOK_PTE_P) || va == XOK_UAREA)
						continue;
					if ((r = fn(va, pte, arg)) < 0)
						return r;
				}
			}
		}
	}
	return 0;
}
