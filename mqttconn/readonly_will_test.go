package mqttconn

import (
	"errors"
	"testing"
)

// A will message is published by the broker for the client: read-only
// refuses it as it refuses Publish.
func TestReadOnlyRefusesWill(t *testing.T) {
	_, err := New(Options{ReadOnly: true, Will: &PublishRequest{Topic: "console/gone", Payload: []byte("x")}})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("New with ReadOnly and a will: %v, want ErrReadOnly", err)
	}
	if _, err := New(Options{Will: &PublishRequest{Topic: "console/gone"}}); err != nil {
		t.Fatalf("a will without read-only: %v", err)
	}
}
