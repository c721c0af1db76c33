package actions

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// EventReader reads a platform's event topics for the answers to its
// trigger-event actions (DRIVR: the created event's record, its state and
// ack topics). The unit's builder puts it in Expect.Events; the tracker
// asks it about every message while such an action is tracked.
type EventReader interface {
	// EventNews says what one routed message says of an event; false
	// when the message is not about one. Called for every message: it
	// checks the route before it reads the payload.
	EventNews(r *platform.Route, v *decode.Value) (EventNews, bool)
}

// StatusReader reads the status reports that answer one platform's
// requests where neither a topic nor a correlation names them (the device
// API's command updates, SmartWorks' action status). The unit's builder
// puts it in Expect.Status; the tracker asks it first about each message
// for each action waiting with one.
type StatusReader interface {
	// Status says whether msg is where the status of the request x
	// describes comes (claimed: no other check of this request applies
	// to msg) and, if it carries this request's status, the answer (ok).
	Status(x *Expect, msg *mqttconn.Message, r *platform.Route, v *decode.Value) (a Answer, claimed, ok bool)
}

// NewsKind says what kind of message an EventNews came from.
type NewsKind uint8

const (
	NewsRecord NewsKind = iota // the event's record: a new event or a later version of one
	NewsState                  // a state report
	NewsAck                    // an acknowledgement
)

// EventNews is what one message says of one event.
type EventNews struct {
	Event string // the event's id
	Kind  NewsKind
	State string // the state it reports, "" for none
	Acked bool   // a record says the event is acknowledged
	// A record names what the event is about: a new event is matched to
	// the trigger-event action that asked for it (Expect.EventEntity,
	// EventModel, EventTime).
	Entity    string
	ModelCode string
	ModelUUID string
	Time      time.Time // zero when unknown
}

// eventNews asks the event reader of the tracked actions about a message;
// false when no tracked action reads events or the message is not about
// one.
func (t *Tracker) eventNews(r *platform.Route, v *decode.Value) (EventNews, bool) {
	for i := len(t.entries) - 1; i >= 0; i-- {
		if er := t.entries[i].Action.Expect.Events; er != nil {
			return er.EventNews(r, v)
		}
	}
	return EventNews{}, false
}

// observeEvent matches what a message says of an event: to the action
// that created it, or, for a new event's record, to the trigger-event
// action that asked for it.
func (t *Tracker) observeEvent(n EventNews, msg *mqttconn.Message, now time.Time, note func(*Entry, Answer)) {
	if e := t.byEvent(n.Event); e != nil {
		switch {
		case n.Kind == NewsAck:
			note(e, Answer{Kind: AnswerEventAck, EventUUID: n.Event})
		case n.Kind == NewsState:
			note(e, Answer{Kind: AnswerEventState, EventUUID: n.Event, State: n.State})
		// Later versions of the record (endTime, status, the acknowledged
		// flag) stay with it; a bare re-publish says nothing.
		case n.State != "":
			note(e, Answer{Kind: AnswerEventState, EventUUID: n.Event, State: n.State})
		case n.Acked:
			note(e, Answer{Kind: AnswerEventAck, EventUUID: n.Event})
		}
		return
	}
	if n.Kind != NewsRecord {
		return
	}
	if e := t.matchCreated(msg, n, now); e != nil {
		e.EventUUID = n.Event
		note(e, Answer{Kind: AnswerEventCreated, EventUUID: n.Event, State: n.State})
	}
}
