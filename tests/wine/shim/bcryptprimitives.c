/* bcryptprimitives.dll for Wine 8, which does not ship it.
 *
 * Rust's std (1.78 and later) imports bcryptprimitives.dll!ProcessPrng for
 * its random seeds (HashMap keys), so every Rust program built for
 * x86_64-pc-windows-gnu fails to load under Wine 8 without this DLL.
 * ProcessPrng is documented to always succeed and return TRUE; Wine's
 * advapi32 implements RtlGenRandom (exported as SystemFunction036), so we
 * forward to it.  Wine 9 and later ship the real DLL; this shim is only
 * copied into prefixes whose Wine lacks it. */
#include <windows.h>

/* Declared here rather than through <ntsecapi.h>, whose RtlGenRandom macro
 * needs extra headers in mingw's setup. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* SystemFunction036 takes a ULONG length; a SIZE_T request may be larger
     * on 64-bit, so feed it in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
