package topics

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Leaf is one scalar of a JSON document: its path and its value as
// compact JSON ("21.5", "\"on\"", "null").
type Leaf struct {
	Path  string
	Value string
	Num   float64
	IsNum bool
}

// maxLeaves bounds what one payload is flattened into.
const maxLeaves = 4096

// Flatten parses a JSON payload into its leaves in path order. Object keys
// join with '.', array indexes are [i], and a key that holds '.', '[' or
// '\' has them escaped with '\' so every leaf is addressable. ok is false
// when the payload is not JSON.
func Flatten(payload []byte) (leaves []Leaf, ok bool) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return nil, false
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if len(leaves) >= maxLeaves {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				leaves = append(leaves, Leaf{Path: path, Value: "{}"})
			}
			for k, e := range x {
				p := EscapeKey(k)
				if path != "" {
					p = path + "." + p
				}
				walk(p, e)
			}
		case []any:
			if len(x) == 0 {
				leaves = append(leaves, Leaf{Path: path, Value: "[]"})
			}
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		case json.Number:
			f, err := x.Float64()
			leaves = append(leaves, Leaf{Path: path, Value: x.String(), Num: f, IsNum: err == nil})
		default:
			b, _ := json.Marshal(x)
			l := Leaf{Path: path, Value: string(b)}
			if bv, isBool := x.(bool); isBool {
				l.IsNum, l.Num = true, 0
				if bv {
					l.Num = 1
				}
			}
			leaves = append(leaves, l)
		}
	}
	walk("", v)
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].Path < leaves[j].Path })
	return leaves, true
}

// EscapeKey escapes the characters of a JSON key that a path gives a
// meaning: '.', '[' and '\'.
func EscapeKey(k string) string {
	if !strings.ContainsAny(k, `.[\`) {
		return k
	}
	var sb strings.Builder
	for _, r := range k {
		if r == '.' || r == '[' || r == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// Number is the numeric value at path in a JSON payload (booleans are 0
// and 1); ok is false when there is none.
func Number(payload []byte, path string) (float64, bool) {
	leaves, ok := Flatten(payload)
	if !ok {
		return 0, false
	}
	i := sort.Search(len(leaves), func(i int) bool { return leaves[i].Path >= path })
	if i < len(leaves) && leaves[i].Path == path && leaves[i].IsNum {
		return leaves[i].Num, true
	}
	return 0, false
}

// NumericPaths lists the paths of a payload's numeric leaves: what the
// plot suggests.
func NumericPaths(payload []byte) []string {
	leaves, _ := Flatten(payload)
	var out []string
	for _, l := range leaves {
		if l.IsNum {
			out = append(out, l.Path)
		}
	}
	return out
}

// ChangeKind is what happened to one path between two payloads.
type ChangeKind uint8

// The kinds of change.
const (
	Changed ChangeKind = iota
	Added
	Removed
)

// Change is one difference between consecutive payloads. For a JSON diff
// Path names the leaf; for a line diff Path is empty and Old or New holds
// one line.
type Change struct {
	Kind     ChangeKind
	Path     string
	Old, New string
}

// Diff compares two payloads: leaf by leaf when both are JSON (keys
// changed, added, removed, old -> new), line by line otherwise. json says
// which it did.
func Diff(old, cur []byte) (changes []Change, isJSON bool) {
	a, okA := Flatten(old)
	b, okB := Flatten(cur)
	if okA && okB {
		i, j := 0, 0
		for i < len(a) || j < len(b) {
			switch {
			case j == len(b) || i < len(a) && a[i].Path < b[j].Path:
				changes = append(changes, Change{Kind: Removed, Path: a[i].Path, Old: a[i].Value})
				i++
			case i == len(a) || b[j].Path < a[i].Path:
				changes = append(changes, Change{Kind: Added, Path: b[j].Path, New: b[j].Value})
				j++
			default:
				if a[i].Value != b[j].Value {
					changes = append(changes, Change{Kind: Changed, Path: a[i].Path, Old: a[i].Value, New: b[j].Value})
				}
				i++
				j++
			}
		}
		return changes, true
	}
	return lineDiff(strings.Split(string(old), "\n"), strings.Split(string(cur), "\n")), false
}

// maxDiffCells bounds the line diff's table; past it the common head and
// tail are kept and the middle is shown as removed and added.
const maxDiffCells = 1 << 20

// lineDiff is a longest-common-subsequence diff of lines: the removed and
// added ones, in order.
func lineDiff(a, b []string) []Change {
	// Common head and tail first: most payloads change in few lines.
	h := 0
	for h < len(a) && h < len(b) && a[h] == b[h] {
		h++
	}
	t := 0
	for t < len(a)-h && t < len(b)-h && a[len(a)-1-t] == b[len(b)-1-t] {
		t++
	}
	a, b = a[h:len(a)-t], b[h:len(b)-t]
	var out []Change
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			out = append(out, Change{Kind: Removed, Old: l})
		}
		for _, l := range b {
			out = append(out, Change{Kind: Added, New: l})
		}
		return out
	}
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, Change{Kind: Added, New: b[j]})
			j++
		default:
			out = append(out, Change{Kind: Removed, Old: a[i]})
			i++
		}
	}
	return out
}
