package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// tlsServerName is the name the server certificate is issued for (besides
// the IP address 127.0.0.1), and the ServerName of ClientTLSConfig.
const tlsServerName = "localhost"

// certs is a throwaway PKI: a CA, a certificate for the server(s) and one for
// clients, all ECDSA P-256, written as PEM files. The server certificate is
// also valid as a client certificate, because Redis presents it when it
// connects to other servers (replication, cluster bus) over TLS. One certs
// can serve several servers (a cluster) that trust each other.
type certs struct {
	caFile         string // PEM CA certificate
	certFile       string // PEM server certificate
	keyFile        string // PEM server key
	clientCertFile string // PEM client certificate, for tools such as redis-cli
	clientKeyFile  string // PEM client key

	pool   *x509.CertPool
	client tls.Certificate
}

// generateCerts creates a CA, a server and a client certificate and writes
// them into dir.
func generateCerts(dir string) (*certs, error) {
	c, err := generateCertsErr(dir)
	if err != nil {
		return nil, fmt.Errorf("redistest: generating TLS certificates: %w", err)
	}
	return c, nil
}

func generateCertsErr(dir string) (*certs, error) {
	now := time.Now()
	notBefore, notAfter := now.Add(-time.Hour), now.Add(30*24*time.Hour)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "redistest CA"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	leaf := func(cn string, usage ...x509.ExtKeyUsage) (certDER []byte, key *ecdsa.PrivateKey, err error) {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    notBefore,
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  usage,
			DNSNames:     []string{tlsServerName},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		certDER, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		return certDER, key, err
	}
	serverDER, serverKey, err := leaf(tlsServerName, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	clientDER, clientKey, err := leaf("redistest client", x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}

	c := &certs{
		caFile:         filepath.Join(dir, "ca.crt"),
		certFile:       filepath.Join(dir, "server.crt"),
		keyFile:        filepath.Join(dir, "server.key"),
		clientCertFile: filepath.Join(dir, "client.crt"),
		clientKeyFile:  filepath.Join(dir, "client.key"),
		pool:           x509.NewCertPool(),
	}
	c.pool.AddCert(ca)
	if err := writePEM(c.caFile, "CERTIFICATE", caDER); err != nil {
		return nil, err
	}
	if err := writePEM(c.certFile, "CERTIFICATE", serverDER); err != nil {
		return nil, err
	}
	if err := writeKey(c.keyFile, serverKey); err != nil {
		return nil, err
	}
	if err := writePEM(c.clientCertFile, "CERTIFICATE", clientDER); err != nil {
		return nil, err
	}
	if err := writeKey(c.clientKeyFile, clientKey); err != nil {
		return nil, err
	}
	c.client = tls.Certificate{Certificate: [][]byte{clientDER}, PrivateKey: clientKey}
	return c, nil
}

// clientConfig returns a new client configuration that trusts the CA and,
// if withCert, presents the client certificate.
func (c *certs) clientConfig(withCert bool) *tls.Config {
	cfg := &tls.Config{
		RootCAs:    c.pool,
		ServerName: tlsServerName,
		MinVersion: tls.VersionTLS12,
	}
	if withCert {
		cfg.Certificates = []tls.Certificate{c.client}
	}
	return cfg
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n.Add(n, big.NewInt(1)) // serial numbers must be positive
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der)
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
