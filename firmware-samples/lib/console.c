/* PL011 polled output and a small printf (%d %i %u %x %X %p %s %c %%, l/ll/z, width, 0-pad). */
#include "lib.h"

#define UART_BASE 0x09000000UL
#define UART_DR   0x00
#define UART_FR   0x18
#define UART_FR_TXFF BIT(5)

void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(UART_BASE + UART_DR, (u8)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void put_num(u64 v, unsigned int base, int upper, int neg, int width, char pad)
{
	char buf[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && pad == '0') {
		uart_putc('-');
		width--;
	}
	if (neg && pad == ' ')
		buf[n++] = '-';
	while (width-- > n)
		uart_putc(pad);
	while (n)
		uart_putc(buf[--n]);
}

static void vprintf_(const char *fmt, __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? __builtin_va_arg(ap, s64) : __builtin_va_arg(ap, int);
			put_num(v < 0 ? -(u64)v : (u64)v, 10, 0, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned int),
				10, 0, 0, width, pad);
			break;
		case 'x':
		case 'X':
			put_num(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned int),
				16, *fmt == 'X', 0, width, pad);
			break;
		case 'p':
			uart_puts("0x");
			put_num((u64)__builtin_va_arg(ap, void *), 16, 0, 0, width, pad);
			break;
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			uart_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			uart_putc((char)__builtin_va_arg(ap, int));
			break;
		case '%':
			uart_putc('%');
			break;
		case '\0':
			return;
		default:
			uart_putc('%');
			uart_putc(*fmt);
			break;
		}
	}
}

int printf(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	vprintf_(fmt, ap);
	__builtin_va_end(ap);
	return 0;
}

void pass(void)
{
	if (unexpected_irqs)
		fail("%u unexpected interrupt(s)", (unsigned int)unexpected_irqs);
	uart_puts("PASS\n");
	psci_system_off();
}

void fail(const char *fmt, ...)
{
	__builtin_va_list ap;
	uart_puts("FAIL: ");
	__builtin_va_start(ap, fmt);
	vprintf_(fmt, ap);
	__builtin_va_end(ap);
	uart_putc('\n');
	psci_system_off();
}

/* Byte loops: safe with the MMU off (no unaligned accesses). */
void *memset(void *d, int c, size_t n)
{
	volatile u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile u8 *p = d;
	const volatile u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
