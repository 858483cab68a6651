/*
 * cpgen's built-in stand-in for the Windows SDK's idispids.h, read when `#include <idispids.h>`
 * is found nowhere on the search path: the DISPIDs of the ready-state property and event and of
 * the ambient properties it adds to olectl.h's (the names and values are the SDK's).
 */

#ifndef CPGEN_BUILTIN_IDISPIDS_H
#define CPGEN_BUILTIN_IDISPIDS_H

#ifndef DISPID_READYSTATE
#define DISPID_READYSTATE (-525)
#endif
#ifndef DISPID_READYSTATECHANGE
#define DISPID_READYSTATECHANGE (-609)
#endif
#ifndef DISPID_AMBIENT_TRANSFERPRIORITY
#define DISPID_AMBIENT_TRANSFERPRIORITY (-728)
#endif
#define DISPID_AMBIENT_OFFLINEIFNOTCONNECTED (-5501)
#define DISPID_AMBIENT_SILENT (-5502)
#ifndef DISPID_AMBIENT_CODEPAGE
#define DISPID_AMBIENT_CODEPAGE (-725)
#endif
#ifndef DISPID_AMBIENT_CHARSET
#define DISPID_AMBIENT_CHARSET (-727)
#endif

#endif
