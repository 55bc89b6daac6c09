/*
 * Xok error codes. Every Xok call returns a value >= 0 on success or one of
 * these negatives. A number is never reused for another meaning.
 */
#ifndef XOK_ERROR_H
#define XOK_ERROR_H

#define E_INVAL   (-1) /* an argument is out of range or malformed */
#define E_FAULT   (-2) /* a user pointer is not readable/writable by the caller */
#define E_NOSYS   (-3) /* no such Xok call, and no reflection entry */
#define E_AGAIN   (-4) /* nothing available now; try again */
#define E_NOMEM   (-5) /* out of physical pages or kernel table space */
#define E_BADENV  (-6) /* no such environment */
#define E_PERM    (-7) /* no capability that opens the resource's guard */
#define E_BUSY    (-8) /* the resource is taken (slice, frame, callee) */
#define E_STATE   (-9) /* the target is not in a state that allows this */
#define E_IO      (-10) /* the device reported an error */
#define E_TIMEOUT (-11) /* a brief call was cut before its reply */

#endif
