/*
 * A stand-in for Windows's bcryptprimitives.dll, which Wine 8.0 lacks and Go
 * (1.22 and later) binaries load for ProcessPrng, their source of random
 * bytes. Test harness only (.ci/windows builds it with mingw-w64 and puts it
 * in the Wine prefix's system32); never shipped.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
