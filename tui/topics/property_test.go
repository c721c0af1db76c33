package topics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// check walks the whole tree and verifies that every node's figures are
// the sums of what its subtree holds, that the lists and counters agree,
// and that the caps hold.
func check(t *testing.T, tr *Tree) {
	t.Helper()
	var topics, held, lruN int
	var walk func(n *Node) (tps, ret int32, msgs, bytes uint64)
	walk = func(n *Node) (tps, ret int32, msgs, bytes uint64) {
		if tp := n.topic; tp != nil {
			tps, msgs, bytes = 1, tp.Msgs, tp.Bytes
			if tp.Retained {
				ret = 1
			}
			topics++
			held += tp.held()
			sum := 0
			for i := 0; i < tp.HistoryLen(); i++ {
				sum += len(tp.History(i).Payload)
				if i > 0 {
					sum += EntryOverhead
				}
			}
			if sum != tp.held() {
				t.Fatalf("%s: history holds %d bytes, counted %d", tp.Name, sum, tp.held())
			}
			if tp.older != nil && tp.older.n == 0 {
				t.Fatalf("%s: an empty ring is kept", tp.Name)
			}
			if tp.HistoryLen() > tr.cfg.HistoryLen {
				t.Fatalf("%s: %d entries > cap %d", tp.Name, tp.HistoryLen(), tr.cfg.HistoryLen)
			}
			if tp.node != n {
				t.Fatalf("%s: topic points at another node", tp.Name)
			}
		} else if n != tr.root && n.Kids() == 0 {
			t.Fatalf("node %q is empty but kept", n.Path())
		}
		if n.kids != nil && n.kids.n == 0 {
			t.Fatalf("node %q keeps an empty child set", n.Path())
		}
		kids := n.AppendKids(nil)
		if len(kids) != n.Kids() || !slices.IsSortedFunc(kids, func(a, b *Node) int { return strings.Compare(a.name, b.name) }) {
			t.Fatalf("node %q: children not in name order or miscounted", n.Path())
		}
		for r, k := range kids {
			if k.parent != n || k.depth != n.depth+1 || k.gone || n.kids.find(k.name) != k || n.kids.rank(k) != r {
				t.Fatalf("node %q: bad link to child %q", n.Path(), k.name)
			}
			a, b, c, d := walk(k)
			tps, ret, msgs, bytes = tps+a, ret+b, msgs+c, bytes+d
		}
		if n.topics != tps || n.retained != ret || n.msgs != msgs || n.bytes != bytes {
			t.Fatalf("node %q: topics %d/%d retained %d/%d msgs %d/%d bytes %d/%d (held/summed)",
				n.Path(), n.topics, tps, n.retained, ret, n.msgs, msgs, n.bytes, bytes)
		}
		return
	}
	walk(tr.root)
	cold := false
	for tp := tr.lru.front; tp != nil; tp = tp.lruNext {
		lruN++
		if tp.node.topic != tp {
			t.Fatalf("lru holds evicted topic %s", tp.Name)
		}
		cold = cold || tp == tr.cold
		if cold && tp.held() != 0 {
			t.Fatalf("%s holds %d bytes behind the budget's mark", tp.Name, tp.held())
		}
	}
	if tr.cold != nil && !cold {
		t.Fatalf("the budget's mark is not in the list")
	}
	for name, tp := range tr.index {
		if tp.Name != name || tp.node.topic != tp || tp.node.gone {
			t.Fatalf("index: %s points at a topic no longer held", name)
		}
	}
	if topics != tr.topics || lruN != tr.topics || tr.lru.n != tr.topics || len(tr.index) != tr.topics {
		t.Fatalf("topics: walked %d, counter %d, lru %d/%d", topics, tr.topics, lruN, tr.lru.n)
	}
	if tr.topics > tr.cfg.MaxTopics {
		t.Fatalf("%d topics > cap %d", tr.topics, tr.cfg.MaxTopics)
	}
	if held != tr.heldBytes {
		t.Fatalf("held bytes: walked %d, counter %d", held, tr.heldBytes)
	}
	if tr.heldBytes > tr.cfg.HistoryBytes {
		t.Fatalf("held %d bytes > budget %d", tr.heldBytes, tr.cfg.HistoryBytes)
	}
}

func randTopic(r *rand.Rand) string {
	segs := []string{"a", "b", "c", "", "$SYS", "dev-1", "x y"}
	n := 1 + r.IntN(4)
	s := ""
	if r.IntN(10) == 0 {
		s = "/" // a leading slash: an empty first segment
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			s += "/"
		}
		s += segs[r.IntN(len(segs))]
	}
	return s
}

// TestTreeProperties applies random batches and checks the invariants
// after each, and that eviction takes the least recently updated topics.
func TestTreeProperties(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			cfg := Config{MaxTopics: 1 + r.IntN(60), HistoryLen: 1 + r.IntN(5), MaxPayload: 1 + r.IntN(40), HistoryBytes: 1 + r.IntN(400)}
			tr := New(cfg)
			lastSeq := map[string]uint64{} // the model: every topic ever seen, its last message
			msgs := map[string]uint64{}    // messages since the topic was (re)created
			base := time.Unix(1_700_000_000, 0)
			var seq uint64
			for batch := 0; batch < 60; batch++ {
				for i := r.IntN(50); i > 0; i-- {
					seq++
					name := randTopic(r)
					payload := make([]byte, r.IntN(60))
					if tr.Topic(name) == nil {
						msgs[name] = 0
					}
					tr.Apply(Msg{Topic: name, Payload: payload, Retained: r.IntN(3) == 0,
						At: base.Add(time.Duration(seq) * 100 * time.Millisecond), Secret: r.IntN(20) == 0})
					lastSeq[name] = seq
					msgs[name]++
				}
				check(t, tr)
				// Every evicted topic is older than every held one.
				var oldestHeld, newestGone uint64 = ^uint64(0), 0
				for name, s := range lastSeq {
					if tp := tr.Topic(name); tp != nil {
						oldestHeld = min(oldestHeld, s)
						if tp.Msgs != msgs[name] {
							t.Fatalf("%s: %d messages, model %d", name, tp.Msgs, msgs[name])
						}
					} else {
						newestGone = max(newestGone, s)
					}
				}
				if newestGone > oldestHeld {
					t.Fatalf("evicted a topic updated at %d while one of %d is held", newestGone, oldestHeld)
				}
				if got, want := tr.Stats().Evicted+uint64(tr.topics), evictedPlusHeld(lastSeq, tr); got < want {
					t.Fatalf("evicted+held %d < topics seen %d", got, want)
				}
			}
		})
	}
}

// evictedPlusHeld is how many distinct topics were seen: each was either
// evicted at least once or is held.
func evictedPlusHeld(seen map[string]uint64, _ *Tree) uint64 { return uint64(len(seen)) }
