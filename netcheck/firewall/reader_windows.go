package firewall

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	ole "github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
	"github.com/yusufpapurcu/wmi"
	"golang.org/x/sys/windows/registry"
)

// read reads Windows Defender Firewall through its COM API (HNetCfg.
// FwPolicy2, INetFwPolicy2: readable without administrator rights), and
// asks Windows Security Center whether a third-party firewall is on.
// Anything that cannot be read (Wine implements little of the API) makes
// every answer unknown.
func read([]string) Snapshot {
	p, err := readPolicy()
	if err != nil {
		return errorSnapshot{windowsBy, "Windows Defender Firewall's settings could not be read: " + err.Error()}
	}
	third, err := thirdPartyFirewall()
	if err != nil {
		return errorSnapshot{windowsBy, "Windows Security Center could not be asked whether another firewall is on: " + err.Error()}
	}
	p.ThirdParty = third
	if err := applyGroupPolicy(p); err != nil {
		return errorSnapshot{windowsBy, "group policy's firewall settings could not be read: " + err.Error()}
	}
	return p
}

// gpoKey is where group policy keeps the firewall's settings and rules.
const gpoKey = `SOFTWARE\Policies\Microsoft\WindowsFirewall`

// applyGroupPolicy lays group policy over the local policy: its profile
// settings override the local ones, its rules join them, and a profile
// with AllowLocalPolicyMerge=0 ignores the local rules.
func applyGroupPolicy(p *WindowsPolicy) error {
	for name, sub := range map[string]string{"Domain": "DomainProfile", "Private": "PrivateProfile", "Public": "PublicProfile"} {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, gpoKey+`\`+sub, registry.QUERY_VALUE)
		if errors.Is(err, registry.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", sub, err)
		}
		prof := p.Profiles[name]
		if v, _, err := k.GetIntegerValue("EnableFirewall"); err == nil {
			prof.Enabled = v != 0
		}
		if v, _, err := k.GetIntegerValue("DefaultInboundAction"); err == nil {
			prof.DefaultBlock = v == 1
		}
		if v, _, err := k.GetIntegerValue("DoNotAllowExceptions"); err == nil {
			prof.BlockAllInbound = v != 0
		}
		if v, _, err := k.GetIntegerValue("AllowLocalPolicyMerge"); err == nil && v == 0 {
			for i := range p.Rules {
				p.Rules[i].Profiles &^= profileBits[name]
			}
		}
		k.Close()
		p.Profiles[name] = prof
	}
	return readGPORules(p)
}

// readGPORules adds group policy's rules; one that cannot be read makes
// the whole reading fail (it may be an allow rule).
func readGPORules(p *WindowsPolicy) error {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, gpoKey+`\FirewallRules`, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	names, err := k.ReadValueNames(-1)
	if err != nil {
		return err
	}
	for _, n := range names {
		s, _, err := k.GetStringValue(n)
		if err != nil {
			return fmt.Errorf("rule %s: %w", n, err)
		}
		r, ok := ParseGPORule(s)
		if !ok {
			return fmt.Errorf("rule %s is not a rule string Localguard reads", n)
		}
		p.Rules = append(p.Rules, r)
	}
	return nil
}

// policyKeys are where Windows keeps the firewall's profiles and rules, and
// group policy's: their last-write times change with them.
var policyKeys = []string{
	`SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules`,
	`SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\StandardProfile`,
	`SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\PublicProfile`,
	`SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\DomainProfile`,
	`SOFTWARE\Policies\Microsoft\WindowsFirewall`,
}

// stamp is the registry keys' last-write times; where a key cannot be
// read, the firewall is read again every minute.
func stamp() string {
	var b strings.Builder
	for _, k := range policyKeys {
		key, err := registry.OpenKey(registry.LOCAL_MACHINE, k, registry.QUERY_VALUE)
		if err != nil {
			if errors.Is(err, registry.ErrNotExist) {
				b.WriteString("-;")
				continue
			}
			return fmt.Sprintf("time %d", time.Now().Unix()/60)
		}
		info, err := key.Stat()
		key.Close()
		if err != nil {
			return fmt.Sprintf("time %d", time.Now().Unix()/60)
		}
		fmt.Fprintf(&b, "%d;", info.ModTime().UnixNano())
	}
	return b.String()
}

// comInit initialises COM on the calling thread, which stays locked to the
// goroutine until done is called.
func comInit() (done func(), err error) {
	runtime.LockOSThread()
	err = ole.CoInitializeEx(0, ole.COINIT_MULTITHREADED)
	var oe *ole.OleError
	switch {
	case err == nil, errors.As(err, &oe) && oe.Code() == 1: // S_FALSE: already initialised
		return func() { ole.CoUninitialize(); runtime.UnlockOSThread() }, nil
	case errors.As(err, &oe) && oe.Code() == 0x80010106: // RPC_E_CHANGED_MODE: usable as it is
		return runtime.UnlockOSThread, nil
	}
	runtime.UnlockOSThread()
	return nil, fmt.Errorf("starting COM: %w", err)
}

// readPolicy reads the three profiles' settings and every rule.
func readPolicy() (p *WindowsPolicy, err error) {
	done, err := comInit()
	if err != nil {
		return nil, err
	}
	defer done()
	unknown, err := oleutil.CreateObject("HNetCfg.FwPolicy2")
	if err != nil {
		return nil, fmt.Errorf("creating HNetCfg.FwPolicy2: %w", err)
	}
	defer unknown.Release()
	policy, err := unknown.QueryInterface(ole.IID_IDispatch)
	if err != nil {
		return nil, fmt.Errorf("INetFwPolicy2 has no IDispatch: %w", err)
	}
	defer policy.Release()
	p = &WindowsPolicy{Profiles: map[string]WindowsProfile{}}
	for name, bit := range profileBits {
		prof, err := readProfile(policy, bit)
		if err != nil {
			return nil, fmt.Errorf("reading the %s profile: %w", name, err)
		}
		p.Profiles[name] = prof
	}
	p.Rules, err = readRules(policy)
	return p, err
}

// readProfile reads one profile's FirewallEnabled, BlockAllInboundTraffic
// and DefaultInboundAction.
func readProfile(policy *ole.IDispatch, bit int32) (WindowsProfile, error) {
	var prof WindowsProfile
	var action int32
	if err := firstErr(
		boolProp(policy, "FirewallEnabled", &prof.Enabled, bit),
		boolProp(policy, "BlockAllInboundTraffic", &prof.BlockAllInbound, bit),
		intProp(policy, "DefaultInboundAction", &action, bit),
	); err != nil {
		return prof, err
	}
	prof.DefaultBlock = action == 0 // NET_FW_ACTION_BLOCK
	return prof, nil
}

// readRules reads every rule of INetFwPolicy2.Rules.
func readRules(policy *ole.IDispatch) ([]WindowsRule, error) {
	v, err := oleutil.GetProperty(policy, "Rules")
	if err != nil {
		return nil, fmt.Errorf("reading Rules: %w", err)
	}
	defer v.Clear()
	rules := v.ToIDispatch()
	if rules == nil {
		return nil, errors.New("Rules is not an object")
	}
	var out []WindowsRule
	err = oleutil.ForEach(rules, func(item *ole.VARIANT) error {
		d := item.ToIDispatch()
		if d == nil {
			return errors.New("a rule is not an object")
		}
		r, err := readRule(d)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the rules: %w", err)
	}
	return out, nil
}

// readRule reads the properties of one INetFwRule the evaluation needs.
func readRule(d *ole.IDispatch) (WindowsRule, error) {
	var r WindowsRule
	var dir, action int32
	var ifaces []string
	err := firstErr(
		strProp(d, "Name", &r.Name), intProp(d, "Direction", &dir), boolProp(d, "Enabled", &r.Enabled),
		intProp(d, "Action", &action), intProp(d, "Profiles", &r.Profiles), intProp(d, "Protocol", &r.Protocol),
		strProp(d, "LocalPorts", &r.LocalPorts), strProp(d, "LocalAddresses", &r.LocalAddresses),
		strProp(d, "RemoteAddresses", &r.RemoteAddresses), strProp(d, "ApplicationName", &r.Program),
		strProp(d, "ServiceName", &r.Service), strProp(d, "InterfaceTypes", &r.InterfaceTypes),
		boolProp(d, "EdgeTraversal", &r.EdgeTraversal), interfacesProp(d, &ifaces),
	)
	r.Inbound, r.Allow, r.Interfaces = dir == 1, action == 1, ifaces
	if err != nil {
		return r, fmt.Errorf("rule %q: %w", r.Name, err)
	}
	return r, nil
}

func prop(d *ole.IDispatch, name string, args ...any) (*ole.VARIANT, error) {
	v, err := oleutil.GetProperty(d, name, args...)
	var oe *ole.OleError
	switch {
	case errors.As(err, &oe):
		// Its text is often FormatMessage's own failure: the code says it.
		return nil, fmt.Errorf("%s: COM error 0x%08X", name, uint32(oe.Code()))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

func strProp(d *ole.IDispatch, name string, out *string) error {
	v, err := prop(d, name)
	if err != nil {
		return err
	}
	defer v.Clear()
	if v.VT == ole.VT_BSTR {
		*out = v.ToString()
	}
	return nil
}

func boolProp(d *ole.IDispatch, name string, out *bool, args ...any) error {
	v, err := prop(d, name, args...)
	if err != nil {
		return err
	}
	defer v.Clear()
	b, ok := v.Value().(bool)
	if !ok {
		return fmt.Errorf("%s is not a boolean", name)
	}
	*out = b
	return nil
}

func intProp(d *ole.IDispatch, name string, out *int32, args ...any) error {
	v, err := prop(d, name, args...)
	if err != nil {
		return err
	}
	defer v.Clear()
	switch x := v.Value().(type) {
	case int32:
		*out = x
	case int64:
		*out = int32(x)
	case uint32:
		*out = int32(x)
	case int16:
		*out = int32(x)
	default:
		return fmt.Errorf("%s is not a number (%T)", name, x)
	}
	return nil
}

// interfacesProp reads Interfaces: a VARIANT array of names, or empty.
func interfacesProp(d *ole.IDispatch, out *[]string) error {
	v, err := prop(d, "Interfaces")
	if err != nil {
		return err
	}
	defer v.Clear()
	if v.VT&ole.VT_ARRAY == 0 {
		return nil
	}
	for _, x := range v.ToArray().ToValueArray() {
		if s, ok := x.(string); ok {
			*out = append(*out, s)
		}
	}
	return nil
}

// firewallProduct is the part of Windows Security Center's FirewallProduct
// read.
type firewallProduct struct {
	DisplayName  string
	ProductState uint32
}

// thirdPartyFirewall names a firewall registered with Windows Security
// Center that is on (bit 12 of productState); "" when none is. Windows
// Server has no Security Center (no root\SecurityCenter2): none is
// registered there.
func thirdPartyFirewall() (string, error) {
	var rows []firewallProduct
	err := wmi.QueryNamespace("SELECT displayName, productState FROM FirewallProduct", &rows, `root\SecurityCenter2`)
	if err != nil {
		if strings.Contains(err.Error(), "0x8004100E") || strings.Contains(strings.ToLower(err.Error()), "invalid namespace") {
			return "", nil
		}
		return "", err
	}
	for _, r := range rows {
		if r.ProductState>>12&1 == 1 {
			return r.DisplayName, nil
		}
	}
	return "", nil
}

// firstErr is the first of errs that is not nil: one sentence for people.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
