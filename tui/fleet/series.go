package fleet

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/decode"
)

// seriesID is a series' identity.
type seriesID struct {
	ref  Ref
	kind SeriesKind
	name string
}

// seriesKey orders series by entity, kind, then name, so an entity's
// series are one range of the index.
type seriesKey struct {
	id seriesID
	s  *Series
}

// lessSeries orders by entity, then name, then kind: the telemetry pane
// lists an entity's series by the name it shows (component.name), with a
// setpoint next to the datapoint of the same name.
func lessSeries(a, b seriesKey) bool {
	if c := cmpRef(a.id.ref, b.id.ref); c != 0 {
		return c < 0
	}
	if a.id.name != b.id.name {
		return a.id.name < b.id.name
	}
	return a.id.kind < b.id.kind
}

// maxText bounds the short text kept per series value.
const maxText = 256

// seriesMapKey appends the map key of a series to dst.
func seriesMapKey(dst []byte, ref Ref, kind SeriesKind, name string) []byte {
	dst = sysMapKey(dst, ref)
	dst = append(dst, 0)
	dst = append(dst, ref.Component...)
	dst = append(dst, 0, byte(kind), 0)
	return append(dst, name...)
}

// ShortText renders a node for a row, cut at 256 bytes on a rune
// boundary: the text the store keeps of a value.
func ShortText(n decode.Node) string {
	t := n.Text()
	if len(t) <= maxText {
		return t
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return t[:cut] + "…"
}

// setSeries records one value of a series, creating it when new. t is the
// value's own time when the payload gives one, else zero.
func (s *Store) setSeries(ref Ref, kind SeriesKind, name string, v decode.Node, unit string, t, at time.Time) *Series {
	s.kbuf = seriesMapKey(s.kbuf[:0], ref, kind, name)
	se := s.series[string(s.kbuf)]
	if se == nil {
		for len(s.series) >= s.cfg.MaxSeries {
			s.dropSeries(s.seriesLRU.Front().v)
			s.evicted.Series++
		}
		ref, name = cloneRef(ref), strings.Clone(name) // not slices of this message
		se = &Series{Ref: ref, Kind: kind, Name: name, points: newRing[float32](s.cfg.SeriesPoints)}
		se.node.v = se
		se.key = seriesKey{id: seriesID{ref: ref, kind: kind, name: name}, s: se}
		se.mkey = string(seriesMapKey(s.kbuf[:0], ref, kind, name)) // eviction may have used kbuf
		s.series[se.mkey] = se
		s.seriesLRU.PushBack(&se.node)
		s.seriesIdx.Insert(se.key)
		s.created.Series++
	} else {
		s.seriesLRU.Touch(&se.node)
	}
	se.Last = v
	se.Text = ShortText(v)
	if unit != "" {
		se.Unit = unit
	}
	if t.IsZero() {
		t = at
	}
	se.Time = t
	se.LastSeen = at
	se.Updates++
	if f, ok := v.Number(); ok {
		se.points.Push(sparkPoint(f))
	} else if v.Kind == decode.KindBool {
		// Booleans plot as 0/1 so a sparkline shows flapping.
		var b float32
		if v.Bool {
			b = 1
		}
		se.points.Push(b)
	}
	return se
}

func (s *Store) dropSeries(se *Series) {
	delete(s.series, se.mkey)
	s.seriesLRU.Remove(&se.node)
	s.seriesIdx.Delete(se.key)
}

// deleteSeries removes one series (device API telemetry key set to null).
func (s *Store) deleteSeries(ref Ref, kind SeriesKind, name string) {
	s.kbuf = seriesMapKey(s.kbuf[:0], ref, kind, name)
	if se := s.series[string(s.kbuf)]; se != nil {
		s.dropSeries(se)
		s.removed.Series++
	}
}

// seriesRange appends the series of ref: for a system, its own and its
// components'; for a component, its own.
func (s *Store) seriesRange(ref Ref, dst []*Series) []*Series {
	sysOnly := ref.Component == ""
	s.seriesIdx.AscendFrom(seriesKey{id: seriesID{ref: ref}}, func(k seriesKey) bool {
		r := k.id.ref
		if sysOnly {
			if r.SystemRef() != ref {
				return false
			}
		} else if r != ref {
			return false
		}
		dst = append(dst, k.s)
		return true
	})
	return dst
}

// flattenScalars records the scalar fields of an object as series named
// prefix+key (one level of nesting as prefix+key.sub), at most limit of
// them, so one message costs bounded work.
func (s *Store) flattenScalars(ref Ref, kind SeriesKind, prefix string, n decode.Node, t, at time.Time, limit int) {
	count := 0
	var walk func(prefix string, n decode.Node, depth int)
	walk = func(prefix string, n decode.Node, depth int) {
		for i := range n.Fields {
			if count >= limit {
				return
			}
			f := &n.Fields[i]
			name := prefix + f.Key
			switch f.Value.Kind {
			case decode.KindObject:
				if depth < 1 {
					walk(name+".", f.Value, depth+1)
					continue
				}
			case decode.KindArray:
				// Arrays are values in their own right; shown as text.
			}
			s.setSeries(ref, kind, name, f.Value, "", t, at)
			count++
		}
	}
	if n.Kind == decode.KindObject {
		walk(prefix, n, 0)
		return
	}
	name := strings.TrimSuffix(prefix, ".")
	if name == "" {
		name = "value"
	}
	s.setSeries(ref, kind, name, n, "", t, at)
}

// sparkPoint is f as a sparkline keeps it: 32 bits (the points only draw a
// sparkline; the value itself stays exact in Last), finite numbers beyond
// float32's range clamped rather than turned infinite.
func sparkPoint(f float64) float32 {
	switch {
	case f > math.MaxFloat32:
		return math.MaxFloat32
	case f < -math.MaxFloat32:
		return -math.MaxFloat32
	}
	return float32(f)
}
