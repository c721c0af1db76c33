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
	label      string // the system's, lower case
	start, end int    // the group's rows in seriesOrder.rows
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
	for i, g := range groups {
		groups[i].start = len(rows)
		rows = append(rows, idx[g.start:g.end]...)
		groups[i].end = len(rows)
	}
	*c = seriesOrder{gen: gen, labels: s.labels, valid: true, rows: rows, groups: groups}
	return rows
}

// seriesMatching is the series whose row shows needle (lower case): in
// its name, its component, "component.name", or, listing all systems, its
// system's label (the entity column). Cost O(series selected).
func (s *Store) seriesMatching(q SeriesQuery, needle string) []*Series {
	var rows []*Series
	dotted := strings.IndexByte(needle, '.') >= 0
	keep := func(se *Series, sysHit bool) {
		if sysHit || containsFold(se.Name, needle) || containsFold(se.Ref.Component, needle) ||
			dotted && se.Ref.Component != "" && containsFold(se.Ref.Component+"."+se.Name, needle) {
			rows = append(rows, se)
		}
	}
	if q.Entity.System != "" {
		for _, se := range s.seriesRange(q.Entity, nil) {
			keep(se, false)
		}
		return rows
	}
	all := s.seriesByLabel()
	for _, g := range s.seriesOrd.groups {
		hit := strings.Contains(g.label, needle)
		for _, se := range all[g.start:g.end] {
			keep(se, hit)
		}
	}
	return rows
}
