package main

import (
	"strings"
	"testing"
)

// TestCheckCmdable checks that checkCmdable notices an interface method
// whose signature differs from Client's, one Client lacks, and a Client
// method the interface lacks.
func TestCheckCmdable(t *testing.T) {
	out := map[string][]byte{"commands_string_gen.go": []byte(`package fastredis

func (c *Client) Get(ctx context.Context, key string) (string, error) { return "", nil }
func (c *Client) Incr(ctx context.Context, key string) (int64, error) { return 0, nil }
func (c *Client) Decr(ctx context.Context, key string) (int64, error) { return 0, nil }
func (p *Pipeline) Ping() Future[string]                               { return nil }
`)}
	iface := func(methods string) []byte {
		return []byte("package fastredis\n\ntype Cmdable interface {\n" + methods + "}\n")
	}
	good := "Get(ctx context.Context, key string) (string, error)\nIncr(ctx context.Context, key string) (int64, error)\nDecr(ctx context.Context, key string) (int64, error)\n"
	if err := checkCmdable(iface(good), out); err != nil {
		t.Errorf("matching interface: %v", err)
	}
	bad := "Get(ctx context.Context, key string) ([]byte, error)\nIncr(ctx context.Context, key string) (int64, error)\nPing(ctx context.Context) error\n"
	err := checkCmdable(iface(bad), out)
	if err == nil {
		t.Fatal("no error for a mismatching interface")
	}
	for _, want := range []string{
		"Cmdable.Get(ctx context.Context, key string) ([]byte, error) differs from Client.Get(ctx context.Context, key string) (string, error)",
		"Cmdable.Ping(ctx context.Context) error differs from Client.Ping",
		"Client.Decr is not in Cmdable",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
