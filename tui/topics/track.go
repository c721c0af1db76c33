package topics

import "time"

// Tracks bound the plotted fields: each keeps TrackPoints values, and at
// most MaxTracks are fed at once (the oldest goes first).
const (
	TrackPoints = 600
	MaxTracks   = 16
)

// Point is one value of a plotted field.
type Point struct {
	At time.Time
	V  float64
}

// Track is a numeric JSON field of one topic, recorded as it arrives.
type Track struct {
	Topic, Path string
	pts         []Point
	start       int
	topic       *Topic
}

// Len is the number of points held.
func (tk *Track) Len() int { return len(tk.pts) }

// Points appends the points, oldest first.
func (tk *Track) Points(dst []Point) []Point {
	dst = append(dst, tk.pts[tk.start:]...)
	return append(dst, tk.pts[:tk.start]...)
}

func (tk *Track) push(p Point) {
	if len(tk.pts) < TrackPoints {
		tk.pts = append(tk.pts, p)
		return
	}
	tk.pts[tk.start] = p
	tk.start = (tk.start + 1) % len(tk.pts)
}

// Track starts recording path (see Flatten for the syntax) of topic's
// payloads, seeded from its history; a field already tracked is returned
// as it is. nil when the topic is not held.
func (t *Tree) Track(topic, path string) *Track {
	tp := t.Topic(topic)
	if tp == nil {
		return nil
	}
	for _, tk := range tp.tracks {
		if tk.Path == path {
			return tk
		}
	}
	tk := &Track{Topic: topic, Path: path, topic: tp}
	for i := tp.HistoryLen() - 1; i >= 0; i-- {
		e := tp.History(i)
		if v, ok := Number(e.Payload, path); ok {
			tk.push(Point{e.At, v})
		}
	}
	if len(t.tracks) == MaxTracks {
		t.untrack(t.tracks[0])
	}
	t.tracks = append(t.tracks, tk)
	tp.tracks = append(tp.tracks, tk)
	return tk
}

// Tracked returns the track of topic's path, nil when none.
func (t *Tree) Tracked(topic, path string) *Track {
	for _, tk := range t.tracks {
		if tk.Topic == topic && tk.Path == path {
			return tk
		}
	}
	return nil
}

func (t *Tree) untrack(tk *Track) {
	for i, x := range t.tracks {
		if x == tk {
			t.tracks = append(t.tracks[:i], t.tracks[i+1:]...)
			break
		}
	}
	tp := tk.topic
	for i, x := range tp.tracks {
		if x == tk {
			tp.tracks = append(tp.tracks[:i], tp.tracks[i+1:]...)
			break
		}
	}
}

// feed records a message's value in its topic's tracks (few topics have
// any: one nil check for the others).
func (t *Tree) feed(tp *Topic, m Msg) {
	for _, tk := range tp.tracks {
		if v, ok := Number(m.Payload, tk.Path); ok && !m.Secret {
			tk.push(Point{m.At, v})
		}
	}
}
