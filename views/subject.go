package views

import "github.com/mqdeck/mqdeck/tui/fleet"

// SubjectKind says what the detail pane shows.
type SubjectKind uint8

// What a list's selection can be.
const (
	SubjectNone SubjectKind = iota
	SubjectSystem
	SubjectComponent
	SubjectEvent
	SubjectSeries
	SubjectError
	SubjectLog
	SubjectTopic // a node of the topic tree
)

// Subject is a list's selection as the detail pane needs it. Live entities
// (systems, events, series) are looked up again on every frame by their
// keys; log entries and error reports are immutable and kept as copies,
// since the store may evict them while the operator reads.
type Subject struct {
	Kind       SubjectKind
	Ref        fleet.Ref
	EventID    string
	Series     string
	SeriesKind fleet.SeriesKind
	Log        fleet.LogEntry
	Error      fleet.ErrorReport
	Topic      string // SubjectTopic: the node's full path
	Field      string // SubjectTopic: the JSON path plotted, "" for none
}

// Same reports whether two subjects name the same thing.
func (s Subject) Same(o Subject) bool {
	if s.Kind != o.Kind || s.Ref != o.Ref {
		return false
	}
	switch s.Kind {
	case SubjectEvent:
		return s.EventID == o.EventID
	case SubjectSeries:
		return s.Series == o.Series && s.SeriesKind == o.SeriesKind
	case SubjectLog:
		return s.Log.Seq == o.Log.Seq
	case SubjectError:
		return s.Error.Seq == o.Error.Seq
	case SubjectTopic:
		return s.Topic == o.Topic && s.Field == o.Field
	}
	return true
}

// Selector is a list pane whose selection the detail pane can show.
type Selector interface {
	Selection() Subject
}
