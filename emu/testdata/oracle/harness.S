# run_case(uint64_t *st, void (*fn)(void)): st holds rax rbx rcx rdx rsi rdi
# r8 r9 rflags; loads them, calls fn, stores them back.
	.text
	.globl run_case
run_case:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, %r12
	mov %rsi, %r13
	mov 0(%r12), %rax
	mov 8(%r12), %rbx
	mov 16(%r12), %rcx
	mov 24(%r12), %rdx
	mov 32(%r12), %rsi
	mov 40(%r12), %rdi
	mov 48(%r12), %r8
	mov 56(%r12), %r9
	pushq 64(%r12)
	popfq
	call *%r13
	pushfq
	popq 64(%r12)
	mov %rax, 0(%r12)
	mov %rbx, 8(%r12)
	mov %rcx, 16(%r12)
	mov %rdx, 24(%r12)
	mov %rsi, 32(%r12)
	mov %rdi, 40(%r12)
	mov %r8, 48(%r12)
	mov %r9, 56(%r12)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	cld
	ret
	.section .note.GNU-stack,"",@progbits
