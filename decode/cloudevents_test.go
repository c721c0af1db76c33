package decode

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCloudEventStructured(t *testing.T) {
	p := []byte(readFixture(t, filepath.Join("cloudevents", "drogue_structured.json")))
	for _, h := range []Hints{
		{ContentType: "application/cloudevents+json; charset=utf-8"},
		{}, // MQTT 3.1.1: no content type, recognised by specversion
		{Encoding: "json"},
	} {
		v := Decode(p, h, DefaultLimits())
		if v.Format != FormatCloudEvents || v.Event == nil || len(v.Warnings) != 0 {
			t.Fatalf("%+v: format %s warnings %v", h, v.Format, v.Warnings)
		}
		ev := v.Event
		if ev.Mode != "structured" || ev.SpecVersion != "1.0" || ev.ID != "0b0f4a4e-7c2f-4b0e-9d43-2f6a3b7a1c11" ||
			ev.Source != "drogue://demo-app/device1" || ev.Type != "io.drogue.event.v1" || ev.Subject != "sensor" ||
			ev.Time != "2025-05-09T13:28:42.611276Z" || ev.DataContentType != "application/json" ||
			ev.DataSchema != "urn:demo:sensor" || ev.DataFormat != FormatJSON {
			t.Fatalf("attributes %+v", ev)
		}
		var names []string
		for _, a := range ev.Extensions {
			names = append(names, a.Name+"="+a.Value)
		}
		if got := strings.Join(names, " "); got != "application=demo-app device=device1 sender=gateway1 instance=drogue partitionkey=demo-app/device1" {
			t.Fatalf("extensions in wire order: %s", got)
		}
		if d, _ := ev.Extension("device"); d != "device1" {
			t.Fatalf("Extension(device) = %q", d)
		}
		if got := keys(v.Data); strings.Join(got, ",") != "temp,hum,ok" {
			t.Fatalf("data keys %v", got)
		}
		if f, _ := mustGet(t, v.Data, "temp").Number(); f != 21.5 {
			t.Fatalf("temp %v", f)
		}
	}
}

func TestCloudEventStructuredEdgeCases(t *testing.T) {
	v := Decode([]byte(readFixture(t, filepath.Join("cloudevents", "base64_data.json"))), Hints{}, DefaultLimits())
	if v.Format != FormatCloudEvents || v.Event.DataFormat != FormatMsgPack || len(v.Warnings) != 0 {
		t.Fatalf("data_base64: %s %s %v", v.Format, v.Event.DataFormat, v.Warnings)
	}
	if f, _ := mustGet(t, v.Data, "temp").Number(); f != 1 || text(t, v.Data, "ok") != "true" {
		t.Fatalf("data_base64 decoded to %+v", v.Data)
	}

	v = Decode([]byte(readFixture(t, filepath.Join("cloudevents", "missing_attrs.json"))), Hints{}, DefaultLimits())
	if v.Format != FormatCloudEvents || len(v.Warnings) != 1 ||
		!strings.Contains(v.Warnings[0], "missing required attribute(s): id, source") {
		t.Fatalf("missing: %s %v", v.Format, v.Warnings)
	}
	if v.Data.Str != "hello" || v.Event.DataFormat != FormatJSON {
		t.Fatalf("string data: %+v %s", v.Data, v.Event.DataFormat)
	}

	v = Decode([]byte(`{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"text/plain","data":"hi"}`), Hints{}, DefaultLimits())
	if v.Event.DataFormat != FormatText || v.Data.Str != "hi" || len(v.Warnings) != 0 {
		t.Fatalf("text data: %+v %v", v.Event, v.Warnings)
	}
	v = Decode([]byte(`{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"!!"}`), Hints{}, DefaultLimits())
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "not valid base64") {
		t.Fatalf("bad base64: %v", v.Warnings)
	}
	v = Decode([]byte(`{"specversion":"1.0","id":"1","source":"s","type":"t"}`), Hints{}, DefaultLimits())
	if !v.Data.IsNull() || v.Event.DataFormat != "" || len(v.Warnings) != 0 {
		t.Fatalf("no data: %+v %v", v.Event, v.Warnings)
	}
	// The CloudEvents content type on something else: kept, with a warning.
	v = Decode([]byte(`[1,2]`), Hints{ContentType: "application/cloudevents+json"}, DefaultLimits())
	if v.Format != FormatJSON || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "not a JSON object") {
		t.Fatalf("array with CE content type: %s %v", v.Format, v.Warnings)
	}
	v = Decode([]byte(`ACTIVE`), Hints{ContentType: "application/cloudevents+json"}, DefaultLimits())
	if v.Format != FormatText || len(v.Warnings) != 2 {
		t.Fatalf("text with CE content type: %s %v", v.Format, v.Warnings)
	}
	// Non-string attribute values are kept as compact text, bounded.
	v = Decode([]byte(`{"specversion":"1.0","id":7,"source":"s","type":"t","seq":42,"geo":{"lat":1.5,"tags":["a"]},"Bad_Name":true}`), Hints{}, Limits{MaxString: 12})
	if v.Event.ID != "7" || len(v.Event.Extensions) != 3 ||
		v.Event.Extensions[0] != (Attribute{"seq", "42"}) || v.Event.Extensions[1] != (Attribute{"geo", `{"lat":1.5,"…`}) ||
		v.Event.Extensions[2] != (Attribute{"Bad_Name", "true"}) {
		t.Fatalf("attribute values %+v", v.Event)
	}
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "1 attribute names are not lower-case") {
		t.Fatalf("warnings %v", v.Warnings)
	}
	if _, ok := (*CloudEvent)(nil).Extension("device"); ok {
		t.Fatal("nil event has no extensions")
	}
	// A "specversion" that is not a string does not make an event.
	if v := Decode([]byte(`{"specversion":1}`), Hints{}, DefaultLimits()); v.Format != FormatJSON {
		t.Fatalf("numeric specversion: %s", v.Format)
	}
}

func TestCloudEventBinaryMode(t *testing.T) {
	props := func(prefix string) []Property {
		return []Property{
			{Key: prefix + "specversion", Value: "1.0"},
			{Key: prefix + "id", Value: "evt-1"},
			{Key: prefix + "source", Value: "drogue://demo-app/device1"},
			{Key: prefix + "type", Value: "io.drogue.event.v1"},
			{Key: prefix + "subject", Value: "sensor"},
			{Key: prefix + "time", Value: "2025-05-09T13:28:42Z"},
			{Key: prefix + "application", Value: "demo-app"},
			{Key: prefix + "device", Value: "device1"},
			{Key: prefix + "sender", Value: "gateway1"},
			{Key: "device_id", Value: "not-an-attribute"},
			{Key: "content-mode", Value: "binary"},
		}
	}
	for _, prefix := range []string{"", "ce-", "ce_", "CE-"} {
		h := Hints{ContentType: "application/json", User: props(prefix)}
		v := Decode([]byte(`{"temp":21.5}`), h, DefaultLimits())
		if v.Format != FormatCloudEvents || len(v.Warnings) != 0 {
			t.Fatalf("prefix %q: %s %v", prefix, v.Format, v.Warnings)
		}
		ev := v.Event
		if ev.Mode != "binary" || ev.ID != "evt-1" || ev.Type != "io.drogue.event.v1" || ev.Subject != "sensor" ||
			ev.DataContentType != "application/json" || ev.DataFormat != FormatJSON {
			t.Fatalf("prefix %q: %+v", prefix, ev)
		}
		if len(ev.Extensions) != 3 || ev.Extensions[0] != (Attribute{"application", "demo-app"}) ||
			ev.Extensions[2] != (Attribute{"sender", "gateway1"}) {
			t.Fatalf("prefix %q: extensions %+v", prefix, ev.Extensions)
		}
		if f, _ := mustGet(t, v.Data, "temp").Number(); f != 21.5 {
			t.Fatalf("data %+v", v.Data)
		}
	}
	// Data decoded by sniffing when there is no content type; missing
	// attributes are a warning.
	mp := mpFromJSON(t, `{"connected":true}`)
	v := Decode(mp, Hints{User: []Property{{Key: "specversion", Value: "1.0"}, {Key: "type", Value: "io.drogue.connection.v1"}}}, DefaultLimits())
	if v.Format != FormatCloudEvents || v.Event.DataFormat != FormatMsgPack || text(t, v.Data, "connected") != "true" {
		t.Fatalf("msgpack data: %s %+v", v.Format, v.Event)
	}
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "missing required attribute(s): id, source") {
		t.Fatalf("warnings %v", v.Warnings)
	}
	// Text data, and no event without a specversion.
	v = Decode([]byte("on"), Hints{ContentType: "text/plain", User: props("")}, DefaultLimits())
	if v.Event.DataFormat != FormatText || v.Data.Str != "on" {
		t.Fatalf("text data %+v", v.Event)
	}
	v = Decode([]byte(`{}`), Hints{User: []Property{{Key: "id", Value: "1"}, {Key: "type", Value: "x"}}}, DefaultLimits())
	if v.Format != FormatJSON || v.Event != nil {
		t.Fatalf("properties without specversion made an event: %+v", v.Event)
	}
}
