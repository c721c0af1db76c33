package mqttconn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the client TLS configuration. Verification is on unless
// Insecure; without CACert the system roots are used.
func tlsConfig(o *Options, b BrokerURL) (*tls.Config, error) {
	if !b.TLS() {
		if o.CACert != "" || o.Cert != "" || o.Key != "" {
			return nil, fmt.Errorf("TLS files given but %s is not a TLS URL: use mqtts:// or wss://", b.Scheme)
		}
		return nil, nil
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         b.Host,
		InsecureSkipVerify: o.Insecure, // only on explicit --insecure, which the UI keeps showing
	}
	if o.CACert != "" {
		pem, err := os.ReadFile(o.CACert)
		if err != nil {
			return nil, fmt.Errorf("read CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA certificate %s: no PEM certificate found", o.CACert)
		}
		cfg.RootCAs = pool
	}
	switch {
	case o.Cert != "":
		key := o.Key
		if key == "" {
			key = o.Cert // a PEM bundle may hold both
		}
		pair, err := tls.LoadX509KeyPair(o.Cert, key)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s with key %s: %w", o.Cert, key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case o.Key != "":
		return nil, errors.New("client key given without a client certificate (--cert)")
	}
	return cfg, nil
}
