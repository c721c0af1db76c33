package fleet

import (
	"sort"
	"strings"
)

// seriesOrder is every series in the order the telemetry pane lists all
// systems (issue 13 item 6): by the system's label as the fleet pane sorts
// it (case-insensitive, then by id, so equal labels stay apart and in a
// stable order), then as the index holds a system's series (component,
// name, kind: the "component.name" a row shows). The index itself orders
// by id, a uuid on DRIVR, which read as no order at all.
type seriesOrder struct {
	gen    uint64 // series created + evicted + removed when built
	labels uint64 // Store.labels when built
	valid  bool
	rows   []*Series
	groups []seriesGroup
}

type seriesGroup struct {
	label      string
	start, end int // the group's rows in the index order
}

// seriesByLabel returns the series in that order. It is rebuilt when a
// series comes or goes or a system's label changes: O(series + systems
// log systems).
func (s *Store) seriesByLabel() []*Series {
	c := &s.seriesOrd
	gen := s.created.Series + s.evicted.Series + s.removed.Series
	if c.valid && c.gen == gen && c.labels == s.labels {
		return c.rows
	}
	idx := make([]*Series, 0, s.seriesIdx.Len())
	groups := c.groups[:0]
	var cur Ref
	s.seriesIdx.Ascend(0, func(k seriesKey) bool {
		if sr := k.id.ref.SystemRef(); len(groups) == 0 || sr != cur {
			cur = sr
			label := sr.System
			if sys := s.System(sr); sys != nil {
				label = sys.Label()
			}
			groups = append(groups, seriesGroup{label: strings.ToLower(label), start: len(idx)})
		}
		idx = append(idx, k.s)
		groups[len(groups)-1].end = len(idx)
		return true
	})
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].label < groups[j].label })
	rows := c.rows[:0]
	for _, g := range groups {
		rows = append(rows, idx[g.start:g.end]...)
	}
	*c = seriesOrder{gen: gen, labels: s.labels, valid: true, rows: rows, groups: groups}
	return rows
}
