package decode

import "bytes"

// SecretKey reports whether a user property, header or field named key holds
// a credential that must be masked wherever it is shown, logged, recorded or
// audited. Case, "-", "_", spaces and a CloudEvents "ce-"/"ce_" prefix are
// ignored, so access_key, Access-Key and ce_accesskey all match. This is the
// one list: the views, the recorder, the log command and the audit use it
// (platform.SecretKey forwards here).
func SecretKey(key string) bool {
	if len(key) > 3 && (key[0]|0x20) == 'c' && (key[1]|0x20) == 'e' && (key[2] == '-' || key[2] == '_') {
		key = key[3:]
	}
	var buf [64]byte
	k := buf[:0]
	for i := 0; i < len(key) && len(k) < len(buf); i++ {
		switch c := key[i]; {
		case c >= 'A' && c <= 'Z':
			k = append(k, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			k = append(k, c)
		}
	}
	for _, w := range [...]string{"accesskey", "password", "passwd", "token", "secret", "apikey", "bearer", "credential", "privatekey"} {
		if bytes.Contains(k, []byte(w)) {
			return true
		}
	}
	return string(k) == "authorization" || string(k) == "auth"
}
