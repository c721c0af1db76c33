package serve

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"
	"time"
)

// keyOptions are the options in front of a key in an authorized_keys line
// that serve applies to a login: where it may come from and until when.
// An option that would restrict the key in a way serve cannot keep (a
// forced command, no terminal, certificates) skips the line instead: a key
// copied from a file where it was restricted must not get more here.
type keyOptions struct {
	from    []string  // from="pattern,...": the client's address must match
	expires time.Time // expiry-time=: refused from then on; zero: never
}

// Options that only restrict what serve never offers (forwarding, X11,
// ~/.ssh/rc, environment, tunnels), or grant it back: accepted as they are.
func harmlessOption(name string) bool {
	switch name {
	case "no-port-forwarding", "port-forwarding", "no-agent-forwarding", "agent-forwarding",
		"no-x11-forwarding", "x11-forwarding", "no-user-rc", "user-rc", "pty", "restrict",
		"environment", "permitopen", "permitlisten", "tunnel", "no-touch-required", "verify-required":
		return true
	}
	return false
}

// parseKeyOptions reads a line's options (as ssh.ParseAuthorizedKey
// returns them) at time zone loc, which expiry-time is written in unless
// it ends in Z.
func parseKeyOptions(opts []string, loc *time.Location) (keyOptions, error) {
	var o keyOptions
	pty := true
	for _, opt := range opts {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if hasValue {
			v, err := unquoteOption(value)
			if err != nil {
				return o, fmt.Errorf("%s: %w", name, err)
			}
			value = v
		}
		switch {
		case name == "from" && hasValue:
			for _, p := range strings.Split(value, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				if err := checkAddrPattern(strings.TrimPrefix(p, "!")); err != nil {
					return o, err
				}
				o.from = append(o.from, p)
			}
			if len(o.from) == 0 {
				return o, errors.New(`from="" lets no address in`)
			}
		case name == "expiry-time" && hasValue:
			t, err := parseExpiry(value, loc)
			if err != nil {
				return o, err
			}
			if o.expires.IsZero() || t.Before(o.expires) {
				o.expires = t
			}
		case name == "no-pty":
			pty = false
		case name == "restrict":
			pty = false // until a later "pty"
		case name == "pty":
			pty = true
		case name == "command" && hasValue:
			return o, errors.New("command= forces a command, and mqdeck serve runs none: the key would get a whole console")
		case name == "cert-authority", name == "principals":
			return o, fmt.Errorf("%s: certificates are not accepted by mqdeck serve", name)
		case harmlessOption(name):
		default:
			return o, fmt.Errorf("unknown option %q", name)
		}
	}
	if !pty {
		return o, errors.New("no-pty (or restrict without pty): the console needs a terminal")
	}
	return o, nil
}

// unquoteOption strips the double quotes around an option's value; \" is
// a quote inside it (OpenSSH's one escape there).
func unquoteOption(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errors.New("value not in double quotes")
	}
	return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), nil
}

// parseExpiry reads YYYYMMDD[HHMM[SS]], in loc or in UTC with a final Z.
func parseExpiry(v string, loc *time.Location) (time.Time, error) {
	if s, ok := strings.CutSuffix(v, "Z"); ok {
		v, loc = s, time.UTC
	}
	for _, layout := range []string{"20060102150405", "200601021504", "20060102"} {
		if len(v) == len(layout) {
			t, err := time.ParseInLocation(layout, v, loc)
			if err != nil {
				return time.Time{}, fmt.Errorf("expiry-time %q: %w", v, err)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("expiry-time %q: want YYYYMMDD[HHMM[SS]][Z]", v)
}

// allows says whether a login from remote at now may use the key, and if
// not, why. from= patterns are matched against the client's address only
// (serve does not look up host names): `*` and `?` wildcards, CIDR
// (10.0.0.0/8) and `!` to refuse; any refusing pattern that matches wins,
// otherwise one allowing pattern must match.
func (o keyOptions) allows(remote net.Addr, now time.Time) (bool, string) {
	if !o.expires.IsZero() && !now.Before(o.expires) {
		return false, "the key expired at " + o.expires.UTC().Format(time.RFC3339) + " (expiry-time=)"
	}
	if len(o.from) == 0 {
		return true, ""
	}
	ip, ok := remoteIP(remote)
	if !ok {
		return false, fmt.Sprintf("from= and the client's address %v is not an IP address", remote)
	}
	allowed := false
	for _, p := range o.from {
		neg := strings.HasPrefix(p, "!")
		if matchAddr(strings.TrimPrefix(p, "!"), ip) {
			if neg {
				return false, fmt.Sprintf("%s is refused by from=%q", ip, strings.Join(o.from, ","))
			}
			allowed = true
		}
	}
	if !allowed {
		return false, fmt.Sprintf("%s is not in from=%q", ip, strings.Join(o.from, ","))
	}
	return true, ""
}

func remoteIP(a net.Addr) (netip.Addr, bool) {
	if a == nil {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// checkAddrPattern refuses a from= pattern serve could not decide: a
// malformed one, or a host name (matching one needs a DNS lookup, which
// serve does not do; a refusing host-name pattern skipped would let that
// host in).
func checkAddrPattern(p string) error {
	if strings.Contains(p, "/") {
		if _, err := netip.ParsePrefix(p); err != nil {
			return fmt.Errorf("from=: %q is not an address/prefix: %w", p, err)
		}
		return nil
	}
	ipv6 := strings.Contains(p, ":")
	for _, c := range strings.ToLower(p) {
		switch {
		case c >= '0' && c <= '9', c == '.', c == '*', c == '?':
		case ipv6 && (c == ':' || c >= 'a' && c <= 'f'):
		default:
			return fmt.Errorf("from=: %q is a host name; mqdeck serve matches addresses only (no DNS lookups): write the addresses", p)
		}
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("from=: %q: %w", p, err)
	}
	return nil
}

// matchAddr matches one from= pattern (without its !) against ip.
func matchAddr(p string, ip netip.Addr) bool {
	if strings.Contains(p, "/") {
		pfx, err := netip.ParsePrefix(p)
		return err == nil && pfx.Contains(ip)
	}
	// path.Match's * and ? are OpenSSH's; it has no special / in an address.
	ok, err := path.Match(strings.ToLower(p), strings.ToLower(ip.String()))
	return err == nil && ok
}
