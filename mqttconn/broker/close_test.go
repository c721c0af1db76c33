package broker

import (
	"fmt"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Close disconnects every client, TCP and websocket, and returns while
// other clients are leaving: mochi's own Close could deadlock on its
// client list then (mochi-mqtt/server#488). Each round is bounded by a
// deadline; the race is rare, so this guards the path rather than
// reproducing the deadlock on demand. (No client connects during Close:
// mochi's listener wait group races with that, in its own code.)
func TestCloseWhileClientsLeave(t *testing.T) {
	for round := 0; round < 10; round++ {
		b, err := StartConfig(Config{Addr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		var clients []paho.Client
		for i := 0; i < 24; i++ {
			url := b.URL()
			if i%4 == 0 {
				url = b.WSURL()
			}
			c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("c-%d-%d", round, i)).
				SetAutoReconnect(false).SetConnectTimeout(5 * time.Second))
			if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
				t.Fatalf("connect %s: %v", url, tok.Error())
			}
			clients = append(clients, c)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // half of them leave while the broker closes
			defer wg.Done()
			for _, c := range clients[:12] {
				c.Disconnect(0)
				time.Sleep(100 * time.Microsecond)
			}
		}()
		time.Sleep(time.Duration(round%4) * 300 * time.Microsecond)
		closed := make(chan error, 1)
		go func() { closed <- b.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("round %d: Close: %v", round, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Close did not return in 10 s", round)
		}
		wg.Wait()
		for i, c := range clients[12:] {
			deadline := time.Now().Add(5 * time.Second)
			for c.IsConnectionOpen() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if c.IsConnectionOpen() {
				t.Errorf("round %d: client %d is still connected after Close", round, 12+i)
			}
			c.Disconnect(0)
		}
	}
}
