package ask

// neverSend are the ports of services that act on the raw bytes they get:
// a GET line sent there could print a page, write a register or move a
// valve. Localguard never connects to them (SECURITY.md lists them too).
// A FlowMeter moved onto one of these ports is never asked: with hints
// that it is FlowMeter it stays "unchecked" (status error), never safe.
var neverSend = map[int]string{
	515:   "LPD print spooler: lines it receives are queue commands",
	9100:  "raw printing (JetDirect/AppSocket): every byte received is printed",
	9101:  "raw printing (JetDirect/AppSocket), second port",
	9102:  "raw printing (JetDirect/AppSocket), third port",
	9103:  "raw printing (JetDirect/AppSocket), fourth port",
	102:   "Siemens S7 (ISO-TSAP): PLC commands",
	502:   "Modbus/TCP: register and coil writes on controllers and gateways",
	2404:  "IEC 60870-5-104: telecontrol commands",
	20000: "DNP3: control commands to outstations",
	44818: "EtherNet/IP (CIP): commands to controllers",
}

// NeverSend reports whether port belongs to a service that acts on raw
// bytes, and why; such a port is never connected to.
func NeverSend(port int) (reason string, never bool) {
	reason, never = neverSend[port]
	return reason, never
}
