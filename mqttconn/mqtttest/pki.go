package mqtttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TLSFiles are PEM files for one broker listener.
type TLSFiles struct {
	CA         string // CA that signed ServerCert and the accepted client certificates
	ServerCert string
	ServerKey  string
}

// PKI is a throw-away certificate set written into a test's temp dir.
type PKI struct {
	CA, CAKey             string // the CA everything valid is signed by
	ServerCert, ServerKey string // valid now, for 127.0.0.1, ::1 and localhost
	ClientCert, ClientKey string // client auth, signed by CA

	ExpiredServerCert, ExpiredServerKey string // signed by CA, expired yesterday
	WrongHostCert, WrongHostKey         string // signed by CA, only for broker.invalid
	OtherCA                             string // a CA that signed nothing the broker uses
	OtherClientCert, OtherClientKey     string // client cert signed by OtherCA
	ExpiredClientCert, ExpiredClientKey string // signed by CA, expired yesterday
}

// Files returns the broker-side files for the valid server certificate.
func (p *PKI) Files() *TLSFiles {
	return &TLSFiles{CA: p.CA, ServerCert: p.ServerCert, ServerKey: p.ServerKey}
}

// NewPKI generates a CA, server and client certificates and the broken
// variants tests need (expired, wrong host, unknown CA), ECDSA P-256.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	g := &pkiGen{t: t, dir: dir, now: time.Now()}
	ca, caKey := g.ca("mqdeck test CA")
	other, otherKey := g.ca("mqdeck other CA")
	p := &PKI{}
	p.CA = g.write("ca.pem", "CERTIFICATE", ca.Raw)
	p.CAKey = g.writeKey("ca-key.pem", caKey)
	p.OtherCA = g.write("other-ca.pem", "CERTIFICATE", other.Raw)

	valid := [2]time.Time{g.now.Add(-time.Hour), g.now.Add(24 * time.Hour)}
	expired := [2]time.Time{g.now.Add(-48 * time.Hour), g.now.Add(-24 * time.Hour)}
	loop := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	server := x509.ExtKeyUsageServerAuth
	client := x509.ExtKeyUsageClientAuth

	p.ServerCert, p.ServerKey = g.leaf("server", ca, caKey, valid, server, []string{"localhost"}, loop)
	p.ExpiredServerCert, p.ExpiredServerKey = g.leaf("expired-server", ca, caKey, expired, server, []string{"localhost"}, loop)
	p.WrongHostCert, p.WrongHostKey = g.leaf("wrong-host", ca, caKey, valid, server, []string{"broker.invalid"}, nil)
	p.ClientCert, p.ClientKey = g.leaf("client", ca, caKey, valid, client, nil, nil)
	p.ExpiredClientCert, p.ExpiredClientKey = g.leaf("expired-client", ca, caKey, expired, client, nil, nil)
	p.OtherClientCert, p.OtherClientKey = g.leaf("other-client", other, otherKey, valid, client, nil, nil)
	return p
}

type pkiGen struct {
	t      testing.TB
	dir    string
	now    time.Time
	serial int64
}

func (g *pkiGen) key() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		g.t.Fatalf("generate key: %v", err)
	}
	return k
}

func (g *pkiGen) next() *big.Int {
	g.serial++
	return big.NewInt(g.now.UnixNano() + g.serial)
}

func (g *pkiGen) ca(name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	k := g.key()
	tmpl := &x509.Certificate{
		SerialNumber:          g.next(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             g.now.Add(-time.Hour),
		NotAfter:              g.now.Add(48 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		g.t.Fatalf("create CA: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		g.t.Fatalf("parse CA: %v", err)
	}
	return c, k
}

func (g *pkiGen) leaf(name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, validity [2]time.Time,
	usage x509.ExtKeyUsage, dns []string, ips []net.IP) (certFile, keyFile string) {
	k := g.key()
	tmpl := &x509.Certificate{
		SerialNumber: g.next(),
		Subject:      pkix.Name{CommonName: "mqdeck-test-" + name},
		NotBefore:    validity[0],
		NotAfter:     validity[1],
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
	if err != nil {
		g.t.Fatalf("create %s certificate: %v", name, err)
	}
	return g.write(name+".pem", "CERTIFICATE", der), g.writeKey(name+"-key.pem", k)
}

func (g *pkiGen) writeKey(name string, k *ecdsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		g.t.Fatalf("marshal key: %v", err)
	}
	return g.write(name, "PRIVATE KEY", der)
}

func (g *pkiGen) write(name, kind string, der []byte) string {
	p := filepath.Join(g.dir, name)
	data := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	// 0644: the broker process reads these (same user here, but keep it simple).
	if err := os.WriteFile(p, data, 0o644); err != nil {
		g.t.Fatalf("write %s: %v", name, err)
	}
	return p
}
