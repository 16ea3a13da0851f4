#!/usr/bin/perl
# doctest.pl — run the SQL examples in Markdown docs and compare their output.
#
# In a doc, a fenced ```sql block is an example.  When the next fenced block
# (blank lines between are allowed) is a plain ``` or ```text block, that block
# is the expected psql output, compared line by line (trailing spaces ignored).
# An ```sql block without an output block must run without error.
# Each file runs in one psql session in a fresh database with the extension
# installed, so examples in one file may build on each other.
#
# usage: doctest.pl --dbname TEMPLATE_DB FILE.md...   (libpq env picks the server)
# Prints "doctest: N passed, N failed" last; exits 1 on any failure.
use strict;
use warnings;

my $admin_db = 'postgres';
if (@ARGV >= 2 && $ARGV[0] eq '--dbname') { shift; $admin_db = shift; }
my @files = @ARGV;
my ($passed, $failed) = (0, 0);

sub psql {
	my ($db, $input) = @_;
	my $tmp = "/tmp/doctest.$$.sql";
	open(my $fh, '>', $tmp) or die "cannot write $tmp: $!";
	print $fh $input;
	close $fh;
	my $out = `psql -X -q -v ON_ERROR_STOP=0 -v VERBOSITY=default -d '$db' -f '$tmp' 2>&1`;
	unlink $tmp;
	$out =~ s/^psql:[^\n]*?:\d+: //mg;    # drop the file:line prefix of messages
	return $out;
}

sub normalise {
	my ($text) = @_;
	my @lines = map { s/\s+$//r } split /\n/, $text;
	pop @lines while @lines && $lines[-1] eq '';
	shift @lines while @lines && $lines[0] eq '';
	return join("\n", @lines);
}

my $fileno = 0;
for my $file (@files) {
	open(my $fh, '<', $file) or die "cannot read $file: $!";
	my @lines = <$fh>;
	close $fh;

	# Collect fenced blocks: [info string, body, starting line].
	my @blocks;
	for (my $i = 0; $i < @lines; $i++) {
		next unless $lines[$i] =~ /^```(\S*)\s*$/;
		my ($info, $start, $body) = ($1, $i + 1, '');
		for ($i++; $i < @lines && $lines[$i] !~ /^```\s*$/; $i++) { $body .= $lines[$i]; }
		push @blocks, [$info, $body, $start];
	}

	my @examples;
	for (my $b = 0; $b < @blocks; $b++) {
		next unless $blocks[$b][0] eq 'sql';
		my (undef, $sql, $line) = @{$blocks[$b]};
		my $expected;
		if ($b + 1 < @blocks && $blocks[$b + 1][0] =~ /^(text)?$/) {
			$expected = $blocks[++$b][1];
		}
		push @examples, [$sql, $expected, $line];
	}
	next unless @examples;

	my $db = "bigpicture_doctest_" . $fileno++;
	my $setup = psql($admin_db, "DROP DATABASE IF EXISTS $db;\nCREATE DATABASE $db TEMPLATE template0;\n");
	$setup .= psql($db, "SET client_min_messages = warning;\nCREATE EXTENSION bigpicture;\n");
	if ($setup =~ /ERROR/) {
		print "not ok - $file: could not set up a database\n$setup";
		$failed++;
		next;
	}

	# One session per file; markers split the output back into examples.
	my $script = '';
	for my $n (0 .. $#examples) {
		$script .= "\\echo '\@\@doctest $n\@\@'\n$examples[$n][0]\n";
	}
	my @parts = split /^\@\@doctest (\d+)\@\@\n/m, psql($db, $script);
	shift @parts;
	my %out = @parts;

	for my $n (0 .. $#examples) {
		my ($sql, $expected, $line) = @{$examples[$n]};
		my $got = normalise($out{$n} // '');
		my $ok = defined $expected ? $got eq normalise($expected) : $got !~ /^(ERROR|FATAL):/m;
		if ($ok) {
			$passed++;
			print "ok - $file:$line\n";
		} else {
			$failed++;
			print "not ok - $file:$line\n";
			print "--- expected\n", (defined $expected ? normalise($expected) : '(no error)'), "\n";
			print "--- got\n$got\n";
		}
	}
	psql($admin_db, "DROP DATABASE IF EXISTS $db;\n");
}

print "doctest: $passed passed, $failed failed\n";
exit($failed == 0 && $passed > 0 ? 0 : 1);
