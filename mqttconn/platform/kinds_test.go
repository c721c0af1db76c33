package platform

import "testing"

// Kind values are printed by `mqdeck log` and matched by scripts: they must
// be unique, short, lower-case snake.
func TestKindsAreUniqueSnakeCase(t *testing.T) {
	seen := map[Kind]bool{}
	for _, k := range Kinds() {
		if seen[k] {
			t.Errorf("kind %q listed twice", k)
		}
		seen[k] = true
		if len(k) == 0 || len(k) > 24 {
			t.Errorf("kind %q: length %d", k, len(k))
		}
		for i, c := range k {
			ok := c >= 'a' && c <= 'z' || c == '_' && i > 0 && i < len(k)-1
			if !ok {
				t.Errorf("kind %q: character %q at %d is not lower-case snake", k, c, i)
			}
		}
	}
	if !seen[KindUnknown] || !seen[KindRaw] {
		t.Error("unknown and raw must be listed")
	}
}
