package fleet

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// Every string below comes from the network as received: views pass it
// through decode.Safe before drawing it.

// Ref names an entity: a system, or one of its components when Component
// is set. Fleet is the DRIVR slug, Drogue application or SmartWorks account.
type Ref struct {
	Platform  string
	Fleet     string
	System    string
	Component string
}

// SystemRef is r without its component.
func (r Ref) SystemRef() Ref { r.Component = ""; return r }

// ConnState is what the platform (or the device) last said about presence.
type ConnState uint8

const (
	ConnUnknown ConnState = iota
	ConnOnline
	ConnOffline
)

func (c ConnState) String() string {
	switch c {
	case ConnOnline:
		return "online"
	case ConnOffline:
		return "offline"
	}
	return "unknown"
}

// Presence is what a view shows: ConnState plus staleness by silence,
// computed at query time (Store.PresenceOf).
type Presence uint8

// The order is the sort order of SortByState: what needs attention first.
const (
	PresenceOffline Presence = iota
	PresenceStale
	PresenceUnknown
	PresenceOnline
)

func (p Presence) String() string {
	switch p {
	case PresenceOffline:
		return "offline"
	case PresenceStale:
		return "stale"
	case PresenceOnline:
		return "online"
	}
	return "unknown"
}

// Change is one line of an entity's history (presence, state, ack, status).
type Change struct {
	Time time.Time
	What string // e.g. "state ACTIVE", "acknowledged by <uuid>"; network text inside
}

// System is one device, thing or DRIVR system.
type System struct {
	Ref         Ref // Component is ""
	Code        string
	Name        string
	Description string
	Lifecycle   string // DRIVR status / .../state (ACTIVATED, DELETED, ...)
	Status      string // device API telemetry status as sent (online, offline, error)
	Note        string // device API telemetry message, if any
	Via         string // Drogue: the gateway that last delivered for this device, when not itself

	Conn       ConnState
	ConnSince  time.Time // when Conn last changed (platform time when it says)
	ConnSource string    // what said so: "connectionState", "connection topic", "connection event", "telemetry status"
	// Authoritative is true when the platform itself reports presence
	// (DRIVR, Drogue): such a system is not marked stale by silence.
	Authoritative bool

	FirstSeen time.Time
	LastSeen  time.Time
	Messages  uint64
	Info      decode.Node // the last full system payload (DRIVR System, device API update)

	ActiveEvents  int // events in state ACTIVE
	UnackedEvents int // events not acknowledged (ACTIVE or without state)
	Components    int

	id      uint64 // unique per store, for compact index keys
	mkey    string // key in Store.systems
	rate    rateRing
	history ring[Change]
	node    lnode[*System] // eviction order (least recently seen first)
	stale   lnode[*System] // fresh/stale lists, only when not Authoritative
	nameKey sysKey         // key currently in the name index
	rankKey sysKey         // key currently in the state index
	events  [numLevels][numStates][3]int32
	removed bool
}

// Rate appends the messages per second of the last RatePoints seconds up
// to now, oldest first, to dst: the sparkline of a fleet row.
func (s *System) Rate(now time.Time, dst []float64) []float64 { return s.rate.Values(now, dst) }

// History returns the recent presence changes, oldest first.
func (s *System) History() []Change { return s.history.Slice(nil) }

// Label is the name, else the code, else the id: what a row shows.
func (s *System) Label() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Code != "":
		return s.Code
	}
	return s.Ref.System
}

// Component is a DRIVR component, a proxied Drogue device or a child.
type Component struct {
	Ref       Ref // Component is the code (DRIVR) or device name
	UUID      string
	Code      string
	Name      string
	Model     string // component model uuid
	Lifecycle string
	Conn      ConnState
	ConnSince time.Time
	FirstSeen time.Time
	LastSeen  time.Time
	Messages  uint64
	Info      decode.Node

	node lnode[*Component]
	key  compKey
}

// Label is the name, else the code.
func (c *Component) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Ref.Component
}

// SeriesKind says where a series' values come from.
type SeriesKind uint8

const (
	SeriesDatapoint SeriesKind = iota // DRIVR datapoint, SmartWorks raw data, Drogue event data
	SeriesTelemetry                   // device API telemetries{}
	SeriesSetpoint                    // DRIVR setpoint, SmartWorks set/... property
	SeriesConfig                      // device API config, cloud settings
	SeriesProperty                    // SmartWorks status property, device API space info/firmware/update
)

func (k SeriesKind) String() string {
	switch k {
	case SeriesDatapoint:
		return "datapoint"
	case SeriesTelemetry:
		return "telemetry"
	case SeriesSetpoint:
		return "setpoint"
	case SeriesConfig:
		return "config"
	}
	return "property"
}

// Series is one named value of an entity with its recent numeric history.
type Series struct {
	Ref      Ref
	Kind     SeriesKind
	Name     string
	Last     decode.Node // last value as decoded
	Text     string      // last value as short text (raw network text)
	Unit     string
	Time     time.Time // device time when the payload gives one, else receive time
	LastSeen time.Time
	Updates  uint64

	points ring[float32] // for the sparkline only: half the memory of float64
	node   lnode[*Series]
	key    seriesKey
	mkey   string // key in Store.series
}

// Points appends the recent numeric values, oldest first, to dst.
func (s *Series) Points(dst []float64) []float64 {
	for i := range s.points.Len() {
		dst = append(dst, float64(*s.points.At(i)))
	}
	return dst
}

// Number returns the last value as a number when it is one.
func (s *Series) Number() (float64, bool) { return nodeNumber(s.Last) }

// Level is an event's severity, DRIVR's eventLevel or a mapped priority.
type Level uint8

// Ordered by severity.
const (
	LevelNone Level = iota
	LevelSuccess
	LevelInfo
	LevelWarning
	LevelError
	numLevels
)

func (l Level) String() string {
	switch l {
	case LevelSuccess:
		return "SUCCESS"
	case LevelInfo:
		return "INFO"
	case LevelWarning:
		return "WARNING"
	case LevelError:
		return "ERROR"
	}
	return ""
}

// EventState is ACTIVE, RESOLVED or none (single-point events).
type EventState uint8

const (
	StateNone EventState = iota
	StateActive
	StateResolved
	numStates
)

func (s EventState) String() string {
	switch s {
	case StateActive:
		return "ACTIVE"
	case StateResolved:
		return "RESOLVED"
	}
	return ""
}

// Event is a DRIVR event, a device API incident or a SmartWorks thing event.
// A store holds up to MaxEvents of them, so it is kept small: times are
// stamps (read them through the methods), text that repeats across events
// is shared through the store's string table, and the index key is not
// stored but recomputed from the fields.
type Event struct {
	Ref       Ref    // the system, and the component for component events
	ID        string // event uuid / incident id
	Source    string // "drivr", "incident", "thing event"
	Entity    string // entityUuid from the payload
	ModelCode string // DRIVR eventModel.code; incident issue; thing event name
	ModelUUID string
	Message   string // eventModel.message; incident title
	LevelText string // as sent (ERROR, critical, ...)
	Type      string // RANGED, SINGLE_POINT
	StateText string // as sent (ACTIVE, closed, ...)
	AckUser   string
	Level     Level
	State     EventState
	Acked     bool
	acks      bool // an operator acknowledges it (CanAck)

	time, endTime, ackTime stamp
	created, updated       stamp
	firstSeen, lastSeen    stamp
	metadata               *decode.Node // nil when none

	history ring[change]
	node    lnode[*Event]
	seq     uint64
	sys     *System // its system: events go when their system goes
}

// CanAck says an operator acknowledges events of this kind (DRIVR's);
// incidents and thing events have no acknowledgement.
func (e *Event) CanAck() bool { return e.acks }

// Time is the event time (its start); zero when the platform gave none.
func (e *Event) Time() time.Time { return e.time.time() }

// EndTime is when a ranged event ended, or zero.
func (e *Event) EndTime() time.Time { return e.endTime.time() }

// AckTime is when it was acknowledged, or zero.
func (e *Event) AckTime() time.Time { return e.ackTime.time() }

// Created is the platform's createdAt, or zero.
func (e *Event) Created() time.Time { return e.created.time() }

// Updated is the platform's updatedAt, else the last receive time.
func (e *Event) Updated() time.Time { return e.updated.time() }

// FirstSeen is when the console first heard of the event.
func (e *Event) FirstSeen() time.Time { return e.firstSeen.time() }

// LastSeen is when the console last heard of it.
func (e *Event) LastSeen() time.Time { return e.lastSeen.time() }

// Metadata is the event's metadata (a thing event's data, an incident as
// sent); a null node when there is none.
func (e *Event) Metadata() decode.Node {
	if e.metadata == nil {
		return decode.Node{}
	}
	return *e.metadata
}

// History returns the recorded changes, oldest first (capped).
func (e *Event) History() []Change {
	out := make([]Change, 0, e.history.Len())
	for i := range e.history.Len() {
		c := e.history.At(i)
		out = append(out, Change{Time: c.at.time(), What: c.what})
	}
	return out
}

// Command is a device API command, a SmartWorks action or a Drogue command
// seen on a command/ topic.
type Command struct {
	Ref     Ref
	ID      string
	Name    string
	Status  string // pending, in_progress, done, error, completed, sent, ...
	Message string
	Params  decode.Node
	Topic   string
	Created time.Time
	Updated time.Time

	history ring[Change]
	node    lnode[*Command]
	key     cmdKey
}

// History returns the status changes, oldest first (capped).
func (c *Command) History() []Change { return c.history.Slice(nil) }

// License is a device API license and what the device did with it.
type License struct {
	Ref       Ref
	ID        string
	Action    string // add, update, remove
	State     string // pending, inuse, removed, error, done
	Error     string
	ExpiresAt string
	Updated   time.Time

	node lnode[*License]
	key  licKey
}

// ErrorSource says where an error report came from.
type ErrorSource string

const (
	ErrPlatform  ErrorSource = "platform"  // a platform error topic (DRIVR .../error)
	ErrDecode    ErrorSource = "decode"    // decode warnings (added by Apply)
	ErrSubscribe ErrorSource = "subscribe" // a refused subscription
	ErrPublish   ErrorSource = "publish"   // a publish that failed
	ErrDevice    ErrorSource = "device"    // a device reporting status error
	ErrOther     ErrorSource = "other"
)

// ErrorStats are DRIVR's import counters.
type ErrorStats struct {
	Total, Errors, Imported int
}

// ErrorReport is one entry of the errors pane.
type ErrorReport struct {
	Seq     uint64 // set by the store, increasing
	Time    time.Time
	Source  ErrorSource
	Ref     Ref    // the entity, when known
	Topic   string // the topic the report came on (or the filter/topic that failed)
	Input   string // the input topic the report answers
	Code    string
	Message string
	Stats   *ErrorStats // nil when the report has none
	Lines   []string    // flattened per-item errors: `#0 validation_error: eventModel: Unknown field.`
	Item    *Item       // the message, for the detail pane; nil for UI-added reports
	Count   int         // times seen in a row (1 unless it repeated)
}

// LogEntry is one received message in the raw log.
type LogEntry struct {
	Seq      uint64
	Item     Item // Secret payloads are dropped before they get here
	Redacted bool // the route carries credentials: payload and value were dropped
	Dropped  bool // the payload was dropped to keep the log within MaxLogBytes
	size     int
}

// Time is when the message was received.
func (e *LogEntry) Time() time.Time { return e.Item.Msg.Received }

// EventModel is a DRIVR event model seen on eventModels/{uuid} or inside
// an event, for the trigger-event form's suggestions.
type EventModel struct {
	UUID       string
	Code       string
	Level      string
	Type       string
	EntityType string
	Message    string
	Fleet      string
	Seen       time.Time

	node lnode[*EventModel]
}
