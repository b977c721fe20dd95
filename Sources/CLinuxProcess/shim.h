#ifndef CLINUXPROCESS_SHIM_H
#define CLINUXPROCESS_SHIM_H
#include <signal.h>
#include <sys/prctl.h>

/* prctl(2) is variadic, so Swift cannot call it: PR_SET_PDEATHSIG as a plain function. */
static inline int callvault_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
#endif
