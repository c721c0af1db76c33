package topics

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// flatRows is the reference: every visible row, by sorting each open
// node's children whole.
func flatRows(l *Lister, n *Node, sec int64, dst []*Node) []*Node {
	kids := n.AppendKids(nil)
	if l.order != ByName {
		slices.SortStableFunc(kids, func(a, b *Node) int {
			return cmp.Compare(figKey(b, l.order, sec), figKey(a, l.order, sec))
		})
	}
	for _, k := range kids {
		dst = append(dst, k)
		if l.expanded[k] && k.Kids() > 0 {
			dst = flatRows(l, k, sec, dst)
		}
	}
	return dst
}

// TestListerWindowsMatchFlatRows: over random trees with a node of more
// children than a block and than smallFig, random expansions and every
// order, Len, Window, At and Index agree with a whole flattening.
func TestListerWindowsMatchFlatRows(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 11))
			tr := New(Config{})
			base := time.Unix(1_700_000_000, 0)
			big := []int{700, 9000}[seed%2] + r.IntN(500) // above blockMax; above smallFig
			for i := 0; i < big; i++ {
				name := fmt.Sprintf("big/k-%05d", r.IntN(big*2))
				for j := r.IntN(3); j >= 0; j-- {
					tr.Apply(Msg{Topic: name, Payload: make([]byte, r.IntN(30)), At: base.Add(time.Duration(r.IntN(8000)) * time.Millisecond)})
				}
			}
			for i := 0; i < 400; i++ {
				tr.Apply(Msg{Topic: randTopic(r), Payload: []byte("x"), At: base.Add(time.Duration(r.IntN(8000)) * time.Millisecond)})
			}
			l := NewLister(tr)
			var all []*Node
			var collect func(n *Node)
			collect = func(n *Node) {
				for _, k := range n.AppendKids(nil) {
					all = append(all, k)
					collect(k)
				}
			}
			collect(tr.root)
			for round := 0; round < 12; round++ {
				for i := r.IntN(20); i > 0; i-- {
					n := all[r.IntN(len(all))]
					l.SetExpanded(n, !l.expanded[n])
				}
				if r.IntN(3) == 0 {
					l.SetExpanded(tr.Find("big"), true)
				}
				l.SetOrder(Order(r.IntN(int(orderCount))))
				now := base.Add(time.Duration(9+round) * time.Second)
				l.Len(now)
				for i := 0; i < 10 && l.Advance(now); i++ {
				}
				want := flatRows(l, tr.root, now.Unix(), nil)
				if got := l.Len(now); got != len(want) {
					t.Fatalf("round %d (%s): Len %d, want %d", round, l.order, got, len(want))
				}
				for k := 0; k < 30; k++ {
					top, n := r.IntN(len(want)+5), 1+r.IntN(60)
					got := l.Window(now, top, n, nil)
					w := want[min(top, len(want)):min(top+n, len(want))]
					if !slices.Equal(got, w) {
						t.Fatalf("round %d (%s): window %d+%d: %q, want %q", round, l.order, top, n, paths(got), paths(w))
					}
				}
				for k := 0; k < 30 && len(want) > 0; k++ {
					i := r.IntN(len(want))
					if got := l.Index(now, want[i]); got != i {
						t.Fatalf("round %d (%s): Index(%s) = %d, want %d", round, l.order, want[i].Path(), got, i)
					}
					if l.At(now, i) != want[i] {
						t.Fatalf("round %d: At(%d)", round, i)
					}
				}
				// A node under a closed one is not visible.
				for _, n := range all {
					if n.parent != tr.root && !l.expanded[n.parent] {
						if got := l.Index(now, n); got != -1 {
							t.Fatalf("hidden %s at %d", n.Path(), got)
						}
						break
					}
				}
			}
		})
	}
}

func paths(ns []*Node) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.Path() + " ")
	}
	return b.String()
}

// TestKidSetBlocks: adding and removing thousands of children in random
// order keeps them sorted, found, ranked, in blocks of at most blockMax.
func TestKidSetBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var s kidSet
	held := map[string]*Node{}
	for i := 0; i < 20000; i++ {
		name := fmt.Sprint(r.IntN(3000))
		if k := held[name]; k != nil && r.IntN(2) == 0 {
			s.remove(k)
			delete(held, name)
		} else if k == nil {
			k = &Node{name: name}
			s.insert(k)
			held[name] = k
		}
		if i%997 != 0 {
			continue
		}
		all := s.appendRange(nil, 0, s.n)
		if len(all) != len(held) || s.n != len(held) {
			t.Fatalf("%d children, %d held", len(all), len(held))
		}
		for rk, k := range all {
			if rk > 0 && all[rk-1].name >= k.name {
				t.Fatalf("not sorted at %d", rk)
			}
			if s.find(k.name) != k || s.rank(k) != rk {
				t.Fatalf("%s: find/rank", k.name)
			}
		}
		for _, b := range s.blocks {
			if len(b) == 0 || len(b) > blockMax {
				t.Fatalf("block of %d", len(b))
			}
		}
	}
}
