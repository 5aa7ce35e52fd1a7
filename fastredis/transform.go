package fastredis

import (
	"strings"
	"sync"
	"sync/atomic"
)

// An ArgTransformer rewrites the arguments (the command name excluded) that
// Do is given for one command before they are encoded: the Go form of
// ioredis's argument transformers. Maps need none: Do flattens a
// map[string]string or map[string]any into key-value pairs by itself, so
// HSET, MSET and MSETNX take maps as they are.
type ArgTransformer func(args []any) ([]any, error)

// A ReplyTransformer rewrites the reply Do returns for one command.
type ReplyTransformer func(Reply) (Reply, error)

// transformers is copied on write, so Do reads it without a lock.
type transformers struct {
	args    map[string]ArgTransformer
	replies map[string]ReplyTransformer
}

type transformerSet struct {
	mu  sync.Mutex
	cur atomic.Pointer[transformers]
}

func (s *transformerSet) update(fn func(t *transformers)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := &transformers{args: map[string]ArgTransformer{}, replies: map[string]ReplyTransformer{}}
	if old := s.cur.Load(); old != nil {
		for k, v := range old.args {
			next.args[k] = v
		}
		for k, v := range old.replies {
			next.replies[k] = v
		}
	}
	fn(next)
	s.cur.Store(next)
}

// SetArgTransformer makes Do pass the arguments of command (any case)
// through fn first. A nil fn removes the transformer.
func (c *Client) SetArgTransformer(command string, fn ArgTransformer) {
	name := strings.ToUpper(command)
	c.transform.update(func(t *transformers) {
		if fn == nil {
			delete(t.args, name)
			return
		}
		t.args[name] = fn
	})
}

// SetReplyTransformer makes Do pass the replies of command (any case)
// through fn before returning them. It is not called for error or null
// replies. A nil fn removes the transformer.
func (c *Client) SetReplyTransformer(command string, fn ReplyTransformer) {
	name := strings.ToUpper(command)
	c.transform.update(func(t *transformers) {
		if fn == nil {
			delete(t.replies, name)
			return
		}
		t.replies[name] = fn
	})
}

func (c *Client) argTransformer(command string) ArgTransformer {
	if t := c.transform.cur.Load(); t != nil {
		return t.args[command]
	}
	return nil
}

func (c *Client) replyTransformer(command string) ReplyTransformer {
	if t := c.transform.cur.Load(); t != nil {
		return t.replies[command]
	}
	return nil
}
