// Package fleet holds mqdeck's live model of a fleet: systems, components,
// series, events, commands, licenses, error reports and the raw message
// log, built from routed and decoded messages and bounded in every
// collection. It has no terminal dependency, so it is tested on its own.
//
// One writer, many readers: Apply, AddError, Refresh and Topics().Track
// write; every other method only reads, so any number of goroutines may
// read at once while no write runs (the caller's sync.RWMutex: the writer
// holds the write lock, readers the read lock). What a read caches (the
// matches of a text filter) belongs to the Store value it is called on: a
// session reads through its own Reader, which shares the data. Pointers the
// queries return stay readable until the next write, which may evict or
// overwrite what they point to; views re-query every frame.
package fleet

import (
	"math"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// Item is one routed and decoded message; the pump produces them in batches.
type Item = ingest.Item

// Config bounds the store. A cap below 1 means 1.
type Config struct {
	MaxSystems     int
	MaxComponents  int
	MaxSeries      int
	MaxEvents      int
	MaxCommands    int
	MaxLicenses    int
	MaxEventModels int
	MaxErrors      int
	MaxLog         int // raw log entries
	MaxLogBytes    int // payload bytes the raw log keeps; older payloads are dropped, entries stay

	SeriesPoints  int // numeric values kept per series (sparkline)
	RatePoints    int // seconds of per-system message rate kept
	EventHistory  int // changes kept per event and command
	SystemHistory int // presence changes kept per system

	// StaleAfter marks a system stale when nothing was heard from it for
	// this long, unless the platform itself reports its presence.
	StaleAfter time.Duration

	Now func() time.Time // clock for staleness and rates; time.Now when nil

	// Topics bounds the topic tree every message is counted in (any
	// platform); zero values take topics.DefaultConfig's.
	Topics topics.Config
}

// DefaultConfig is sized for a fleet of about 10k systems.
func DefaultConfig() Config {
	return Config{
		MaxSystems:     20_000,
		MaxComponents:  100_000,
		MaxSeries:      50_000,
		MaxEvents:      100_000,
		MaxCommands:    10_000,
		MaxLicenses:    10_000,
		MaxEventModels: 5_000,
		MaxErrors:      10_000,
		MaxLog:         10_000,
		MaxLogBytes:    64 << 20,
		SeriesPoints:   64,
		RatePoints:     60,
		EventHistory:   16,
		SystemHistory:  8,
		StaleAfter:     5 * time.Minute,
		Now:            time.Now,
	}
}

func (c *Config) normalize() {
	for _, p := range []*int{&c.MaxSystems, &c.MaxComponents, &c.MaxSeries, &c.MaxEvents,
		&c.MaxCommands, &c.MaxLicenses, &c.MaxEventModels, &c.MaxErrors, &c.MaxLog,
		&c.MaxLogBytes, &c.SeriesPoints, &c.RatePoints, &c.EventHistory, &c.SystemHistory} {
		if *p < 1 {
			*p = 1
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Evicted counts what each collection dropped to stay within its cap.
type Evicted struct {
	Systems     uint64
	Components  uint64
	Series      uint64
	Events      uint64
	Commands    uint64
	Licenses    uint64
	EventModels uint64
	Errors      uint64
	Log         uint64
	LogPayloads uint64 // raw log entries whose payload was dropped for MaxLogBytes
}

// Total is the sum of the evicted entities and entries (not LogPayloads).
func (e Evicted) Total() uint64 {
	return e.Systems + e.Components + e.Series + e.Events + e.Commands + e.Licenses +
		e.EventModels + e.Errors + e.Log
}

// Totals are the status bar's figures.
type Totals struct {
	Messages      uint64
	PerSecond     float64 // messages applied in the last complete second (the console's processing rate)
	Systems       int
	Components    int
	Series        int
	Events        int
	Commands      int
	Licenses      int
	EventModels   int
	Errors        int
	Log           int
	ActiveEvents  int
	UnackedEvents int
	Evicted       Evicted
	Removed       uint64 // entities the platform deleted (empty retained info, null telemetry key)
}

// Store is the fleet model, or one reader's handle on it (Reader). See the
// package comment on concurrency.
type Store struct {
	*data
	// One reader's caches: filtered and ordered lists kept until the data
	// changes.
	sysCache    sysCache
	evTextCache evTextCache
	logCache    logCache
	seriesOrd   seriesOrder
}

// data is the model itself, shared by a Store and its Readers; only the
// writer changes it.
type data struct {
	cfg     Config
	version uint64
	seq     uint64 // order of creation for events, commands, log entries, errors

	messages uint64
	rate     rateRing
	evicted  Evicted
	removed  Evicted // deleted by the platform (empty retained info, null telemetry)
	created  Evicted // entities ever created, for the invariant tests

	kbuf       []byte             // scratch for map keys: lookups do not allocate
	strs       strTable           // text shared across events
	systems    map[string]*System // by sysMapKey
	sysLRU     lru[*System]
	fresh      lru[*System] // not authoritative, heard within StaleAfter (by LastSeen)
	staleList  lru[*System] // not authoritative, silent past StaleAfter
	byName     *sortedList[sysKey]
	byState    *sortedList[sysKey]
	sysOrder   uint64 // bumped when either index changes
	labels     uint64 // bumped when a system's label changes or a system goes
	comps      map[Ref]*Component
	compLRU    lru[*Component]
	compIdx    *sortedList[compKey]
	compByUUID map[string]*Component

	series    map[string]*Series // by seriesMapKey
	seriesLRU lru[*Series]
	seriesIdx *sortedList[seriesKey]

	events    map[string]*Event // by eventMapKey
	evOpen    lru[*Event]       // ACTIVE events: evicted only when no other is left
	evClosed  lru[*Event]
	evByTime  *sortedList[eventKey]
	evBySev   *sortedList[eventKey]
	evBySys   *sortedList[eventKey]
	evCounts  [numLevels][numStates][3]int
	evBucket  [numLevels][numStates][3]*sortedList[eventKey] // newest first, one per counter
	evVersion uint64

	commands map[cmdID]*Command
	cmdLRU   lru[*Command]
	cmdIdx   *sortedList[cmdKey]

	licenses map[licID]*License
	licLRU   lru[*License]
	licIdx   *sortedList[licKey]

	models   map[string]*EventModel
	modelLRU lru[*EventModel]

	errors   ring[ErrorReport]
	errSeq   uint64
	errCount uint64 // errors reported, repeats included (ErrorCount)

	log         ring[LogEntry]
	logSeq      uint64
	logBytes    int
	logFloor    uint64 // entries with Seq below this have had their payload dropped
	logFirstSeq uint64 // Seq of the oldest entry held

	tree *topics.Tree

	platforms []Platform // how each platform's messages change the store
	w         Writer     // the one writer handed to them, reused
}

// New returns an empty store bounded by cfg that applies the messages of
// the given platforms (tui/platforms.Fleet() lists every unit's); other
// messages are logged and counted only.
func New(cfg Config, platforms []Platform) *Store {
	cfg.normalize()
	s := &Store{data: &data{
		platforms:  append([]Platform(nil), platforms...),
		cfg:        cfg,
		rate:       rateRing{},
		systems:    make(map[string]*System),
		byName:     newSortedList(lessByName),
		byState:    newSortedList(lessByState),
		comps:      make(map[Ref]*Component),
		compIdx:    newSortedList(lessComp),
		compByUUID: make(map[string]*Component),
		series:     make(map[string]*Series),
		seriesIdx:  newSortedList(lessSeries),
		events:     make(map[string]*Event),
		evByTime:   newSortedList(lessEvTime),
		evBySev:    newSortedList(lessEvSev),
		evBySys:    newSortedList(lessEvSys),
		commands:   make(map[cmdID]*Command),
		cmdIdx:     newSortedList(lessCmd),
		licenses:   make(map[licID]*License),
		licIdx:     newSortedList(lessLic),
		models:     make(map[string]*EventModel),
		errors:     newRing[ErrorReport](cfg.MaxErrors),
		log:        newRing[LogEntry](cfg.MaxLog),
		tree:       topics.New(cfg.Topics),
	}}
	return s
}

// Reader is another handle on the same data with caches of its own: each
// session reads through one, so no read writes anything shared.
func (s *Store) Reader() *Store { return &Store{data: s.data} }

// Refresh marks the systems silent past StaleAfter stale: a write (Apply
// does it too), for the writer to call about once a second while nothing
// arrives, so readers never move the indexes themselves.
func (s *Store) Refresh() {
	if s.refreshStale(s.cfg.Now()) {
		s.version++
	}
}

// Topics is the topic tree of every message applied.
func (s *Store) Topics() *topics.Tree { return s.tree }

// Config returns the configuration in use (caps normalized).
func (s *Store) Config() Config { return s.cfg }

// Version increases on every change, so views can cache what they drew.
func (s *Store) Version() uint64 { return s.version }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.cfg.Now() }

// Apply folds a batch of messages into the model. Its cost is proportional
// to the batch: every step is a map lookup, a list move or an index update
// of O(log n + block) for entities whose sort key changed.
func (s *Store) Apply(batch []Item) {
	if len(batch) == 0 {
		return
	}
	now := s.cfg.Now()
	// The fleet-wide rate counts what the store applies, in the second it
	// applies it: the console's own processing rate. Counting by receive
	// time left the current seconds empty whenever the console ran behind
	// (a flood's backlog, a replay of old messages) and the bar read 0/s.
	s.rate.addN(now, uint32(min(len(batch), math.MaxUint32)), s.cfg.RatePoints)
	for i := range batch {
		s.apply(&batch[i], now)
	}
	s.refreshStale(now)
	s.version++
}

// Messages is the number of messages applied (Totals().Messages, without
// the clock or the counting).
func (s *Store) Messages() uint64 { return s.messages }

// Totals returns the status bar's figures.
func (s *Store) Totals() Totals {
	now := s.cfg.Now()
	return Totals{
		Messages:      s.messages,
		PerSecond:     s.rate.lastComplete(now),
		Systems:       len(s.systems),
		Components:    len(s.comps),
		Series:        len(s.series),
		Events:        len(s.events),
		Commands:      len(s.commands),
		Licenses:      len(s.licenses),
		EventModels:   len(s.models),
		Errors:        s.errors.Len(),
		Log:           s.log.Len(),
		ActiveEvents:  s.countEvents(s.evCounts, LevelSet(0), StateSet(0).with(StateActive), AckAny),
		UnackedEvents: s.countEvents(s.evCounts, LevelSet(0), StateSet(0), AckNo),
		Evicted:       s.evicted,
		Removed:       s.removed.Total(),
	}
}

// GlobalRate appends the fleet-wide messages applied per second of the
// last RatePoints seconds, oldest first, to dst.
func (s *Store) GlobalRate(dst []float64) []float64 { return s.rate.Values(s.cfg.Now(), dst) }

func (s *Store) apply(it *Item, now time.Time) {
	at := it.Msg.Received
	if at.IsZero() {
		at = now
	}
	s.messages++
	s.logAppend(it)
	s.tree.Apply(topics.Msg{Topic: it.Msg.Topic, Payload: it.Msg.Payload, Retained: it.Msg.Retain, At: at, Secret: it.Route.Secret})
	if len(it.Value.Warnings) > 0 {
		s.decodeWarnings(it, at)
	}
	if it.Route.Secret {
		return // credentials: logged without payload, never modelled
	}
	for i := range s.platforms {
		if p := &s.platforms[i]; p.Name == it.Route.Platform {
			s.w = Writer{s: s, it: it, at: at}
			p.Apply(&s.w)
			s.w = Writer{}
			return
		}
	}
}
