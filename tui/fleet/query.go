package fleet

import (
	"sort"
	"strings"
	"time"
)

// SystemSort orders the fleet pane.
type SystemSort uint8

const (
	SortByName  SystemSort = iota // label (name, else code, else id), case-insensitive
	SortByState                   // offline, stale, unknown, online; then by name
)

// SystemQuery selects and orders systems. Text is a case-insensitive
// substring of what a fleet row shows or names (systemText).
type SystemQuery struct {
	Sort SystemSort
	Text string
}

// sysCache holds the systems matching a text filter in index order. It is
// rebuilt when the query or the order changes (a name, a presence, a
// system come or gone), and at most once a second for what changes without
// moving a system: components, a gateway (textRefresh). Each reader has its own.
type sysCache struct {
	q     SystemQuery
	order uint64
	valid bool
	rows  []*System
	comps compHits
	// the store's version when comps were built, and when
	version uint64
	at      time.Time
}

// textRefresh bounds how long a text filter may miss a new component or
// gateway: rebuilding on every batch cost 8x the name-only scan (10k
// systems with 50k components: about 20 ms).
const textRefresh = time.Second

// SystemsWindow appends up to n systems of q starting at rank offset to
// dst, and returns them with the number of systems q selects. Without Text
// the cost is O(n + systems/256); with Text the matches are computed once
// per change of the order, and at most once a second as batches arrive.
func (s *Store) SystemsWindow(q SystemQuery, offset, n int, dst []*System) ([]*System, int) {
	offset = max(offset, 0)
	if q.Text == "" {
		idx := s.sysIndex(q.Sort)
		idx.Ascend(offset, func(k sysKey) bool {
			if n <= 0 {
				return false
			}
			dst = append(dst, k.s)
			n--
			return true
		})
		return dst, idx.Len()
	}
	rows := s.filteredSystems(q)
	for i := offset; i < len(rows) && n > 0; i, n = i+1, n-1 {
		dst = append(dst, rows[i])
	}
	return dst, len(rows)
}

// SystemIndex is the rank of the system of ref in q's order, so a view can
// keep its selection on the same system while the order changes.
func (s *Store) SystemIndex(q SystemQuery, ref Ref) (int, bool) {
	sys := s.System(ref)
	if sys == nil {
		return 0, false
	}
	if q.Text == "" {
		k := sys.nameKey
		if q.Sort == SortByState {
			k = sys.rankKey
		}
		return s.sysIndex(q.Sort).Rank(k), true
	}
	for i, r := range s.filteredSystems(q) {
		if r == sys {
			return i, true
		}
	}
	return 0, false
}

func (s *Store) sysIndex(o SystemSort) *sortedList[sysKey] {
	if o == SortByState {
		return s.byState
	}
	return s.byName
}

func (s *Store) filteredSystems(q SystemQuery) []*System {
	c := &s.sysCache
	now := s.cfg.Now()
	needle := strings.ToLower(q.Text)
	due := c.version != s.version && (now.Sub(c.at) >= textRefresh || now.Before(c.at))
	if c.valid && c.q == q && c.order == s.sysOrder && !due {
		return c.rows
	}
	if !c.valid || due || c.comps.needle != needle {
		c.comps = compHits{needle: needle, sys: s.componentHits(needle)}
		c.at, c.version = now, s.version
	}
	rows := c.rows[:0]
	s.sysIndex(q.Sort).Ascend(0, func(k sysKey) bool {
		if s.systemText(k.s, needle, c.comps.sys) {
			rows = append(rows, k.s)
		}
		return true
	})
	c.q, c.order, c.valid, c.rows = q, s.sysOrder, true, rows
	return rows
}

// SeriesQuery selects series: those of Entity (a system with its
// components, or one component) or all when Entity.System is empty; Text
// is a case-insensitive substring of what a row shows: component.name, and
// of all systems the system's label.
type SeriesQuery struct {
	Entity Ref
	Text   string
}

// SeriesWindow appends up to n series of q, ordered by the system's label,
// then component, name and kind, from offset, and returns them with the
// number selected. For all series without Text the cost is O(n) once the
// order is built (seriesByLabel); for one entity it is that entity's
// series count.
func (s *Store) SeriesWindow(q SeriesQuery, offset, n int, dst []*Series) ([]*Series, int) {
	offset = max(offset, 0)
	if q.Entity.System == "" && q.Text == "" {
		rows := s.seriesByLabel()
		for i := offset; i < len(rows) && n > 0; i, n = i+1, n-1 {
			dst = append(dst, rows[i])
		}
		return dst, len(rows)
	}
	var rows []*Series
	if q.Text == "" {
		rows = s.seriesRange(q.Entity, nil)
	} else {
		rows = s.seriesMatching(q, strings.ToLower(q.Text))
	}
	for i := offset; i < len(rows) && n > 0; i, n = i+1, n-1 {
		dst = append(dst, rows[i])
	}
	return dst, len(rows)
}

// CommandQuery selects commands; Entity.System narrows to one system.
type CommandQuery struct {
	Entity Ref
}

// CommandsWindow appends up to n commands of q, newest first, from offset,
// and returns them with the number selected.
func (s *Store) CommandsWindow(q CommandQuery, offset, n int, dst []*Command) ([]*Command, int) {
	offset = max(offset, 0)
	if q.Entity.System == "" {
		s.cmdIdx.Ascend(offset, func(k cmdKey) bool {
			if n <= 0 {
				return false
			}
			dst = append(dst, k.c)
			n--
			return true
		})
		return dst, s.cmdIdx.Len()
	}
	ref := q.Entity.SystemRef()
	total := 0
	s.cmdIdx.Ascend(0, func(k cmdKey) bool {
		if k.c.Ref.SystemRef() != ref {
			return true
		}
		if total >= offset && n > 0 {
			dst = append(dst, k.c)
			n--
		}
		total++
		return true
	})
	return dst, total
}

// EventModels appends the event models seen, ordered by code, to dst: the
// trigger-event form's suggestions. Cost O(models log models).
func (s *Store) EventModels(dst []*EventModel) []*EventModel {
	start := len(dst)
	for _, m := range s.models {
		dst = append(dst, m)
	}
	out := dst[start:]
	sort.Slice(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].UUID < out[j].UUID
	})
	return dst
}
