// Package ingest is the one place where a received message is understood:
// routed by the platform's scheme, held to the secret policy, decoded and
// refined, exactly once, on every core, in receive order. The console, `log`,
// replay, the fixture builder and the action matcher all consume its Item;
// nothing downstream routes, decodes or refines again. Its output is plain
// channels and batches, so one ingest can feed many consumers.
package ingest

import (
	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Item is one message as mqdeck understands it. For a secret route the
// payload is gone (nil) and Value holds only its size: it is never decoded,
// kept, printed or recorded.
type Item struct {
	Msg   mqttconn.Message
	Route platform.Route
	Value decode.Value
}

// Hints are what the transport and the topic say about m's payload;
// encoding is the topic suffix the scheme found ("json", "msgpack", "").
func Hints(m *mqttconn.Message, encoding string) decode.Hints {
	h := decode.Hints{Encoding: encoding}
	if p := m.Props; p != nil {
		h.ContentType = p.ContentType
		h.PayloadFormatUTF8 = p.PayloadFormat != nil && *p.PayloadFormat == 1
		if len(p.User) > 0 {
			h.User = make([]decode.Property, len(p.User))
			for i, u := range p.User {
				h.User[i] = decode.Property{Key: u.Key, Value: u.Value}
			}
		}
	}
	return h
}

// Stage turns messages into items. It holds a decoder, so one goroutine
// uses it at a time; Stream runs one per worker.
type Stage struct {
	scheme platform.Scheme
	lim    decode.Limits
	dec    *decode.Decoder
	refine func(platform.Route, *decode.Value) platform.Route // platform.Refine; tests break it
	// routed: Item got past the route and the secret policy, so the
	// payload may be kept if what follows panics (understand).
	routed bool
}

// NewStage routes with scheme (nil: every message is raw generic) and
// decodes within lim (zero fields: decode's defaults).
func NewStage(scheme platform.Scheme, lim decode.Limits) *Stage {
	return &Stage{scheme: scheme, lim: lim, dec: decode.NewDecoder(lim), refine: platform.Refine}
}

// Item understands m. Route never fails and decoding never panics by
// contract, so neither does Item; a bug that breaks the contract panics
// here, and Stream's workers call it through Stage.understand, which
// catches that panic.
func (s *Stage) Item(m mqttconn.Message) Item {
	s.routed = false
	var r platform.Route
	if s.scheme != nil {
		r = s.scheme.Route(m.Topic, m.Props)
	} else {
		r = platform.Route{Platform: platform.Generic, Kind: platform.KindRaw}
	}
	if r.Secret {
		v := decode.Value{Size: len(m.Payload)}
		m.Payload = nil
		return Item{Msg: m, Route: r, Value: v}
	}
	s.routed = true
	v := s.dec.Decode(m.Payload, Hints(&m, r.Encoding))
	r = s.refine(r, &v)
	return Item{Msg: m, Route: r, Value: v}
}
