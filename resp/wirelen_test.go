package resp

import "testing"

func TestWireLen(t *testing.T) {
	for _, in := range []string{
		"+OK\r\n",
		"-ERR bad\r\n",
		":12345\r\n",
		"$5\r\nhello\r\n",
		"$0\r\n\r\n",
		"_\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n",
		"%1\r\n+k\r\n+v\r\n",
		"=8\r\ntxt:abcd\r\n",
		",1.5\r\n",
		"#t\r\n",
		"|1\r\n+a\r\n+b\r\n$3\r\nfoo\r\n",
		"*12\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n:12\r\n",
	} {
		var rd Reader
		v, n, err := rd.Parse([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := v.WireLen(); got != n || n != len(in) {
			t.Errorf("%q: WireLen %d, parsed %d, len %d", in, got, n, len(in))
		}
	}
}
