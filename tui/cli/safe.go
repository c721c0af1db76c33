package cli

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// safe makes an error or warning line terminal-safe: controls, DEL, C1,
// bidi controls and invalid UTF-8 are shown quoted instead of acting.
// Temporary until decode.Safe lands; then this calls it.
func safe(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			sb.WriteString(`\x`)
			sb.WriteString(strconv.FormatUint(uint64(s[i]), 16))
		case r < 0x20 || r == 0x7f || escapeRune(r):
			q := strconv.QuoteRuneToASCII(r)
			sb.WriteString(q[1 : len(q)-1])
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}
