package system

import "hash/maphash"

// listenSeed keys the listening sockets' fingerprints of this run.
var listenSeed = maphash.MakeSeed()

// ListenFingerprint is a fingerprint of the machine's listening TCP
// sockets (each one's family, address, port and inode): it changes when a
// socket starts or stops listening, and costs one sock_diag dump, with
// nothing kept. ok is false where the system cannot give one cheaply (then
// only full checks see such changes).
func ListenFingerprint() (fp uint64, ok bool) {
	err := diagDumpAll(1<<tcpListen, nil, func(m []byte) {
		if len(m) < inetDiagMsgLen {
			return
		}
		// Family, ports, addresses (bytes 0-39) and the inode (68-71):
		// summed, so that the order of the dump does not matter.
		var h maphash.Hash
		h.SetSeed(listenSeed)
		h.Write(m[:40])
		h.Write(m[68:72])
		fp += h.Sum64()
	})
	return fp, err == nil
}
