package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// The fixtures in testdata/seeds are cut verbatim from ../shared/seeds
// (001: DRIVR events, acks and error reports; 002: Drogue command;
// 003: device API). TestSeedFixturesAreVerbatim proves it when the seeds
// are around.

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return string(b)
}

func TestSeedFixturesAreVerbatim(t *testing.T) {
	seedDir := filepath.Join("..", "..", "shared", "seeds")
	entries, err := os.ReadDir(seedDir)
	if err != nil {
		t.Skipf("seed documents not available at %s: %v", seedDir, err)
	}
	var all strings.Builder
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "seeds", "*"))
	if len(fixtures) < 15 {
		t.Fatalf("expected the seed fixtures, found %d", len(fixtures))
	}
	for _, f := range fixtures {
		b, _ := os.ReadFile(f)
		if !strings.Contains(all.String(), string(b)) {
			t.Errorf("%s is not a verbatim excerpt of the seeds", f)
		}
	}
}

// oracleNode builds the expected Node from encoding/json's token stream,
// which keeps key order; it shares no code with the parser under test.
func oracleNode(t testing.TB, js string) Node {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	n, err := oracleValue(dec)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	return n
}

func oracleValue(dec *json.Decoder) (Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return Node{}, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			var fs []Field
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return Node{}, err
				}
				val, err := oracleValue(dec)
				if err != nil {
					return Node{}, err
				}
				fs = append(fs, Field{Key: k.(string), Value: val})
			}
			_, err = dec.Token()
			return Node{Kind: KindObject, Fields: fs}, err
		}
		var items []Node
		for dec.More() {
			val, err := oracleValue(dec)
			if err != nil {
				return Node{}, err
			}
			items = append(items, val)
		}
		_, err = dec.Token()
		return Node{Kind: KindArray, Items: items}, err
	case string:
		return Node{Kind: KindString, Str: v}, nil
	case bool:
		return Node{Kind: KindBool, Bool: v}, nil
	case nil:
		return Node{}, nil
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return Node{Kind: KindInt, Int: i}, nil
			}
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return Node{}, err
		}
		return Node{Kind: KindFloat, Float: f}, nil
	}
	return Node{}, io.ErrUnexpectedEOF
}

// mpFromJSON re-encodes JSON as MsgPack with msgpack/v5's own encoder,
// keeping key order, independently of EncodeMsgPack.
func mpFromJSON(t testing.TB, js string) []byte {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	b, err := mpOracle(dec)
	if err != nil {
		t.Fatalf("msgpack oracle: %v", err)
	}
	return b
}

func mpOracle(dec *json.Decoder) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	var head, body bytes.Buffer
	enc := msgpack.NewEncoder(&head)
	switch v := tok.(type) {
	case json.Delim:
		n := 0
		for dec.More() {
			if v == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				kb, _ := msgpack.Marshal(k.(string))
				body.Write(kb)
			}
			vb, err := mpOracle(dec)
			if err != nil {
				return nil, err
			}
			body.Write(vb)
			n++
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		if v == '{' {
			err = enc.EncodeMapLen(n)
		} else {
			err = enc.EncodeArrayLen(n)
		}
		head.Write(body.Bytes())
		return head.Bytes(), err
	case json.Number:
		if i, err := v.Int64(); err == nil && !strings.ContainsAny(string(v), ".eE") {
			return msgpack.Marshal(i)
		}
		f, _ := v.Float64()
		return msgpack.Marshal(f)
	default:
		return msgpack.Marshal(v)
	}
}

func keys(n Node) []string {
	var ks []string
	for _, f := range n.Fields {
		ks = append(ks, f.Key)
	}
	return ks
}

func text(t *testing.T, n Node, path ...string) string {
	t.Helper()
	got, ok := n.Get(path...)
	if !ok {
		t.Fatalf("path %v missing", path)
	}
	return got.Text()
}

func TestSeedPayloadsJSONAndMsgPack(t *testing.T) {
	eventKeys := []string{"uuid", "createdAt", "updatedAt", "entityUuid", "time", "endTime",
		"status", "acknowledged", "eventModel", "metadata"}
	cases := []struct {
		file  string
		keys  []string
		check func(t *testing.T, n Node)
	}{
		{"drivr_event_system.json", eventKeys, func(t *testing.T, n Node) {
			if got := text(t, n, "uuid"); got != "a707aa3a-b44f-42e0-9ab8-b8efe13409c8" {
				t.Errorf("uuid = %q", got)
			}
			if got := text(t, n, "eventModel", "eventLevel"); got != "ERROR" {
				t.Errorf("level = %q", got)
			}
			if got := keys(mustGet(t, n, "eventModel")); !reflect.DeepEqual(got,
				[]string{"uuid", "entityType", "eventType", "eventLevel", "code", "message"}) {
				t.Errorf("eventModel keys = %v", got)
			}
			if s, _ := n.Get("status"); !s.IsNull() {
				t.Errorf("status should be null, got %+v", s)
			}
			if a, _ := n.Get("acknowledged"); a.Kind != KindBool || a.Bool {
				t.Errorf("acknowledged = %+v", a)
			}
			if m, _ := n.Get("metadata"); m.Kind != KindObject || len(m.Fields) != 0 {
				t.Errorf("metadata = %+v", m)
			}
		}},
		{"drivr_event_component.json", eventKeys, func(t *testing.T, n Node) {
			if got := text(t, n, "status"); got != "ACTIVE" {
				t.Errorf("status = %q", got)
			}
			if got := text(t, n, "eventModel", "eventType"); got != "RANGED" {
				t.Errorf("eventType = %q", got)
			}
		}},
		{"drivr_event_ack_system.json", []string{"time", "userUuid"}, func(t *testing.T, n Node) {
			if got := text(t, n, "userUuid"); got != "8718ca2a-5134-41bb-ab81-b65cec310ab9" {
				t.Errorf("userUuid = %q", got)
			}
		}},
		{"drivr_event_ack_component.json", []string{"time", "userUuid"}, nil},
		{"drivr_event_input_system.json", []string{"eventModelCode", "time"}, nil},
		{"drivr_event_input_component.json", []string{"eventModelUuid", "time"}, nil},
		{"drivr_error_validation.json", []string{"code", "message", "stats", "errors"}, func(t *testing.T, n Node) {
			if got := text(t, n, "errors", "0", "0", "message", "eventModel", "0"); got != "Unknown field." {
				t.Errorf("field error = %q", got)
			}
			if got := text(t, n, "errors", "0", "0", "code"); got != "validation_error" {
				t.Errorf("code = %q", got)
			}
			if f, ok := mustGet(t, n, "stats", "total").Number(); !ok || f != 1 {
				t.Errorf("stats.total = %v %v", f, ok)
			}
		}},
		{"drivr_error_unknown_model.json", []string{"code", "message", "stats", "errors"}, func(t *testing.T, n Node) {
			if got := text(t, n, "errors", "0", "0", "message"); got != "An event model with the code en does not exist" {
				t.Errorf("message = %q", got)
			}
			if got := text(t, n, "stats", "imported"); got != "0" {
				t.Errorf("imported = %q", got)
			}
		}},
		{"drogue_command.json", []string{"value"}, func(t *testing.T, n Node) {
			if v := mustGet(t, n, "value"); v.Kind != KindFloat || v.Float != 1.23 {
				t.Errorf("value = %+v", v)
			}
		}},
		{"devapi_telemetry.json", []string{"status", "timestamp", "telemetries"}, func(t *testing.T, n Node) {
			if got := keys(mustGet(t, n, "telemetries")); !reflect.DeepEqual(got, []string{"fan_speed", "connection", "usbc"}) {
				t.Errorf("telemetry keys = %v", got)
			}
			if f, _ := mustGet(t, n, "telemetries", "fan_speed").Number(); f != 100.1 {
				t.Errorf("fan_speed = %v", f)
			}
		}},
		{"devapi_command.json", []string{"id", "status", "name", "parameters"}, func(t *testing.T, n Node) {
			if got := text(t, n, "parameters", "version"); got != "1.3.4" {
				t.Errorf("version = %q", got)
			}
		}},
		{"devapi_command_update.json", []string{"status", "message", "id"}, nil},
		{"devapi_license_update.json", []string{"id", "state", "error"}, nil},
		{"devapi_space_info.json", []string{"location", "temperature_units", "maintenance", "name", "local_time"}, func(t *testing.T, n Node) {
			if v := mustGet(t, n, "location", "coordinates", "lat"); v.Kind != KindFloat || v.Float != 51.165691 {
				t.Errorf("lat = %+v", v)
			}
			if v := mustGet(t, n, "location", "utc_offset"); v.Kind != KindInt || v.Int != 60 {
				t.Errorf("utc_offset = %+v", v)
			}
		}},
		{"devapi_firmware.json", []string{"latest_fw_version", "latest_fw_file_id"}, nil},
		{"devapi_update.json", []string{"firmware_version", "name"}, nil},
		{"devapi_cloud_settings.json", []string{"property", "value"}, nil},
	}
	for _, tc := range cases {
		js := readFixture(t, filepath.Join("seeds", tc.file))
		want := oracleNode(t, js)
		mp := mpFromJSON(t, js)
		for _, enc := range []struct {
			name    string
			payload []byte
			hints   Hints
			format  Format
		}{
			{"json-sniffed", []byte(js), Hints{}, FormatJSON},
			{"json-suffix", []byte(js), Hints{Encoding: "json"}, FormatJSON},
			{"json-ct", []byte(js), Hints{ContentType: "application/json; charset=utf-8"}, FormatJSON},
			{"msgpack-sniffed", mp, Hints{}, FormatMsgPack},
			{"msgpack-suffix", mp, Hints{Encoding: "msgpack"}, FormatMsgPack},
			{"msgpack-ct", mp, Hints{ContentType: "application/x-msgpack"}, FormatMsgPack},
		} {
			t.Run(tc.file+"/"+enc.name, func(t *testing.T) {
				v := Decode(enc.payload, enc.hints, DefaultLimits())
				if v.Format != enc.format || len(v.Warnings) != 0 || v.Size != len(enc.payload) {
					t.Fatalf("format %s warnings %v size %d", v.Format, v.Warnings, v.Size)
				}
				if !reflect.DeepEqual(v.Data, want) {
					t.Fatalf("decoded value differs from encoding/json's reading:\n got %+v\nwant %+v", v.Data, want)
				}
				if got := keys(v.Data); !reflect.DeepEqual(got, tc.keys) {
					t.Errorf("keys %v, want wire order %v", got, tc.keys)
				}
				if tc.check != nil {
					tc.check(t, v.Data)
				}
			})
		}
	}
}

func mustGet(t *testing.T, n Node, path ...string) Node {
	t.Helper()
	got, ok := n.Get(path...)
	if !ok {
		t.Fatalf("path %v missing", path)
	}
	return got
}

func TestSeedStateAndSloppyDocs(t *testing.T) {
	// The state topic carries plain text.
	v := Decode([]byte("ACTIVE"), Hints{}, DefaultLimits())
	if v.Format != FormatText || v.Data.Str != "ACTIVE" || len(v.Warnings) != 0 {
		t.Fatalf("state: %+v", v)
	}
	// Seed 003 documents the license and config payloads with a trailing
	// comma and bare keys: not JSON. Shown as text; a JSON hint is
	// contradicted with a warning that says where the JSON breaks.
	for _, f := range []string{"devapi_license_sloppy.txt", "devapi_config_sloppy.txt"} {
		p := readFixture(t, filepath.Join("seeds", f))
		v := Decode([]byte(p), Hints{}, DefaultLimits())
		if v.Format != FormatText || v.Data.Str != p || len(v.Warnings) != 0 {
			t.Errorf("%s sniffed: %s %v", f, v.Format, v.Warnings)
		}
		v = Decode([]byte(p), Hints{ContentType: "application/json"}, DefaultLimits())
		if v.Format != FormatText || len(v.Warnings) != 1 ||
			!strings.Contains(v.Warnings[0], `content type "application/json" does not match`) ||
			!strings.Contains(v.Warnings[0], "offset") {
			t.Errorf("%s hinted: %s %v", f, v.Format, v.Warnings)
		}
	}
}

func TestMsgPackOracleIsMsgPack(t *testing.T) {
	// Guard the oracle itself: msgpack/v5 reads its output back.
	mp := mpFromJSON(t, `{"a":[1,-2,3.5,"x",null,true],"b":{}}`)
	var got map[string]any
	if err := msgpack.Unmarshal(mp, &got); err != nil {
		t.Fatal(err)
	}
	if a := got["a"].([]any); len(a) != 6 || a[2].(float64) != 3.5 || math.Signbit(float64(a[1].(int64))) != true {
		t.Fatalf("oracle output read back as %v", got)
	}
}
