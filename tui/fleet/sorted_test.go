package fleet

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The blocked sorted list against a plain sorted slice, through random
// inserts and deletes that split and merge blocks.
func TestSortedListMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	l := newSortedList(func(a, b int) bool { return a < b })
	var ref []int
	in := map[int]bool{}
	for step := 0; step < 20000; step++ {
		v := r.IntN(3000)
		if in[v] {
			if !l.Delete(v) {
				t.Fatalf("step %d: delete %d not found", step, v)
			}
			i, _ := slices.BinarySearch(ref, v)
			ref = slices.Delete(ref, i, i+1)
			delete(in, v)
		} else {
			l.Insert(v)
			i, _ := slices.BinarySearch(ref, v)
			ref = slices.Insert(ref, i, v)
			in[v] = true
		}
		if l.Len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", step, l.Len(), len(ref))
		}
		if step%997 == 0 {
			var got []int
			l.Ascend(0, func(x int) bool { got = append(got, x); return true })
			if !slices.Equal(got, ref) {
				t.Fatalf("step %d: order differs", step)
			}
			for _, probe := range []int{0, len(ref) / 2, len(ref) - 1} {
				if probe < 0 || probe >= len(ref) {
					continue
				}
				if v, ok := l.At(probe); !ok || v != ref[probe] {
					t.Fatalf("At(%d) = %d, want %d", probe, v, ref[probe])
				}
				if rk := l.Rank(ref[probe]); rk != probe {
					t.Fatalf("Rank(%d) = %d, want %d", ref[probe], rk, probe)
				}
			}
			// Blocks stay bounded: no block over maxBlock, and not a
			// multitude of tiny ones.
			for _, b := range l.blocks {
				if len(b) == 0 || len(b) > maxBlock {
					t.Fatalf("block of %d", len(b))
				}
				// Nor an array much larger than a block: a split used to
				// leave one half in a doubled array (memory per entry).
				if cap(b) > maxBlock+maxBlock/8 {
					t.Fatalf("block of %d in an array of %d", len(b), cap(b))
				}
			}
			if len(ref) > 0 && len(l.blocks) > 4*len(ref)/maxBlock+4 {
				t.Fatalf("%d blocks for %d values", len(l.blocks), len(ref))
			}
		}
	}
	if l.Delete(-1) {
		t.Error("deleted a value never inserted")
	}
	var from []int
	l.AscendFrom(1500, func(x int) bool { from = append(from, x); return len(from) < 3 })
	i, _ := slices.BinarySearch(ref, 1500)
	if want := ref[i:min(i+3, len(ref))]; !slices.Equal(from, want) {
		t.Errorf("AscendFrom(1500) = %v, want %v", from, want)
	}
}

func TestRing(t *testing.T) {
	r := newRing[int](3)
	for i := 1; i <= 2; i++ {
		if _, ev := r.Push(i); ev {
			t.Fatal("evicted before full")
		}
	}
	if got := r.Slice(nil); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("%v", got)
	}
	r.Push(3)
	old, ev := r.Push(4)
	if !ev || old != 1 {
		t.Fatalf("push 4 evicted %d %v", old, ev)
	}
	if got := r.Slice(nil); !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("%v", got)
	}
	if *r.Newest(0) != 4 || *r.At(0) != 2 {
		t.Fatalf("newest %d oldest %d", *r.Newest(0), *r.At(0))
	}
	r.Reset()
	if r.Len() != 0 {
		t.Fatal("reset")
	}
}

// Values that always arrive at one end (the newest-first event index, the
// creation-ordered ones) fill blocks instead of leaving them half empty.
func TestSortedListFullBlocksAtTheEnds(t *testing.T) {
	const n = 10_000
	for _, desc := range []bool{false, true} {
		l := newSortedList(func(a, b int) bool { return a < b })
		for k := 0; k < n; k++ {
			v := k
			if desc {
				v = n - k
			}
			l.Insert(v)
		}
		prev, count := -1, 0
		l.Ascend(0, func(x int) bool {
			if x <= prev {
				t.Fatalf("desc %v: %d after %d", desc, x, prev)
			}
			prev = x
			count++
			return true
		})
		if count != n || l.Len() != n {
			t.Fatalf("desc %v: %d values, Len %d, want %d", desc, count, l.Len(), n)
		}
		if max := n/maxBlock + 2; len(l.blocks) > max {
			t.Errorf("desc %v: %d blocks for %d values (at most %d when full)", desc, len(l.blocks), n, max)
		}
		var slots int
		for _, b := range l.blocks {
			slots += cap(b)
		}
		if slots > n+n/8 {
			t.Errorf("desc %v: %d slots allocated for %d values", desc, slots, n)
		}
	}
}
