package consume

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrTopicPattern is returned (wrapped) when a topic name's format string
// cannot be read.
var ErrTopicPattern = errors.New("bad topic format")

// TopicPattern turns a topic of netbeat.kafka.topics into an anchored
// regular expression. A plain name matches itself (templated false). In a
// format string (output.franz's topic syntax) a date %{+yyyy.MM.dd} matches
// digits where the format has letters and the format's other characters
// as they are; a field reference %{[field]} matches any topic characters.
func TopicPattern(topic string) (re string, templated bool, err error) {
	if topic == "" {
		return "", false, errors.New("an empty topic name")
	}
	var b strings.Builder
	b.WriteByte('^')
	rest := topic
	for {
		i := strings.Index(rest, "%{")
		if i < 0 {
			i = len(rest)
		}
		if c, bad := illegal(rest[:i]); bad {
			return "", false, errorf("%w: %q has %q: Kafka topic names use only letters, digits, '.', '_' and '-'", ErrTopicPattern, topic, c)
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		if i == len(rest) {
			break
		}
		rest = rest[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return "", false, errorf("%w: %q has %%{ without a closing }", ErrTopicPattern, topic)
		}
		inner := rest[:j]
		rest = rest[j+1:]
		templated = true
		switch {
		case strings.HasPrefix(inner, "+"):
			if err := datePattern(&b, inner[1:]); err != nil {
				return "", false, errorf("%w: %q: %w", ErrTopicPattern, topic, err)
			}
		case strings.HasPrefix(inner, "[") && strings.HasSuffix(inner, "]") && len(inner) > 2:
			b.WriteString(`[a-zA-Z0-9._-]+`)
		default:
			return "", false, errorf("%w: %q: %%{%s} is neither a date (%%{+yyyy.MM.dd}) nor a field (%%{[field]})", ErrTopicPattern, topic, inner)
		}
	}
	b.WriteByte('$')
	if !templated {
		return b.String(), false, nil
	}
	return b.String(), true, nil
}

// datePattern writes the regular expression of a Joda-style date format:
// each run of letters becomes that many digits (at least; MMM and the
// like are names, which topic names do not use), anything else itself.
func datePattern(b *strings.Builder, format string) error {
	if format == "" {
		return errors.New("an empty date format")
	}
	for i := 0; i < len(format); {
		c := format[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			j := i
			for j < len(format) && format[j] == c {
				j++
			}
			b.WriteString(`[0-9]{` + itoa(j-i) + `,}`)
			i = j
			continue
		}
		if s, bad := illegal(format[i : i+1]); bad {
			return fmt.Errorf("the date format has %q: topic names use only letters, digits, '.', '_' and '-'", s)
		}
		b.WriteString(regexp.QuoteMeta(format[i : i+1]))
		i++
	}
	return nil
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// illegal returns the first character of s that a Kafka topic name cannot
// hold.
func illegal(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return s[i : i+1], true
		}
	}
	return "", false
}
