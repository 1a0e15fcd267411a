/** Kubernetes name rules, as the API server checks them. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit,
 * at most 63 characters. What a namespace name must be, and what mesh asks of a revision name (it
 * ends up in label values and object names).
 */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
