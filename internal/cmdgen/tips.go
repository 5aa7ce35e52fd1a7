package main

import (
	"fmt"
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// requestPolicies maps the specs' REQUEST_POLICY values to keyspec's
// RequestPolicy constants.
var requestPolicies = map[string]string{
	"ALL_NODES":   "RequestAllNodes",
	"ALL_SHARDS":  "RequestAllShards",
	"MULTI_SHARD": "RequestMultiShard",
	"SPECIAL":     "RequestSpecial",
}

// responsePolicies maps the specs' RESPONSE_POLICY values to keyspec's
// ResponsePolicy constants.
var responsePolicies = map[string]string{
	"ONE_SUCCEEDED":   "ResponseOneSucceeded",
	"ALL_SUCCEEDED":   "ResponseAllSucceeded",
	"AGG_LOGICAL_AND": "ResponseAggLogicalAnd",
	"AGG_LOGICAL_OR":  "ResponseAggLogicalOr",
	"AGG_MIN":         "ResponseAggMin",
	"AGG_MAX":         "ResponseAggMax",
	"AGG_SUM":         "ResponseAggSum",
	"SPECIAL":         "ResponseSpecial",
}

// tips maps the other command tips to keyspec's Tip constants, in the order
// they are written (the bit order of keyspec.Tip).
var tips = [][2]string{
	{"NONDETERMINISTIC_OUTPUT", "TipNondeterministicOutput"},
	{"NONDETERMINISTIC_OUTPUT_ORDER", "TipNondeterministicOutputOrder"},
}

var tipIdent = identIndex(tips)

const (
	requestPrefix  = "REQUEST_POLICY:"
	responsePrefix = "RESPONSE_POLICY:"
)

// checkTips returns an error for a command tip keyspec has no constant for,
// and for a second request or response policy: a routing rule the client
// would otherwise silently ignore.
func checkTips(c *spec.Command) error {
	var req, resp int
	for _, t := range c.CommandTips {
		switch {
		case strings.HasPrefix(t, requestPrefix):
			req++
			if _, ok := requestPolicies[strings.TrimPrefix(t, requestPrefix)]; !ok {
				return fmt.Errorf("unknown command tip %q: add it to cmdgen (requestPolicies) and keyspec (RequestPolicy)", t)
			}
		case strings.HasPrefix(t, responsePrefix):
			resp++
			if _, ok := responsePolicies[strings.TrimPrefix(t, responsePrefix)]; !ok {
				return fmt.Errorf("unknown command tip %q: add it to cmdgen (responsePolicies) and keyspec (ResponsePolicy)", t)
			}
		default:
			if _, ok := tipIdent[t]; !ok {
				return fmt.Errorf("unknown command tip %q: add it to cmdgen (tips) and keyspec (Tip)", t)
			}
		}
	}
	if req > 1 || resp > 1 {
		return fmt.Errorf("command tips %q: more than one request or response policy", c.CommandTips)
	}
	return nil
}

// tipFields renders the Request, Response and Tips fields of a table entry,
// each preceded by ", ", or "" when the command has no tips.
func tipFields(c *spec.Command) string {
	var b strings.Builder
	if p := c.RequestPolicy(); p != "" {
		fmt.Fprintf(&b, ", Request: %s", requestPolicies[p])
	}
	if p := c.ResponsePolicy(); p != "" {
		fmt.Fprintf(&b, ", Response: %s", responsePolicies[p])
	}
	var other []string
	for _, t := range c.CommandTips {
		if !strings.HasPrefix(t, requestPrefix) && !strings.HasPrefix(t, responsePrefix) {
			other = append(other, t)
		}
	}
	if f := flagExpr(other, tips, tipIdent); f != "" {
		fmt.Fprintf(&b, ", Tips: %s", f)
	}
	return b.String()
}
