/*
 * true: the program fork_exec_wait runs (as /bin/true in the initramfs):
 * a static binary that exits 0 at once, so the figure is the cost of
 * fork, execve and wait, not of any work. Xok's libOS will run the same.
 */
int main(void)
{
	return 0;
}
