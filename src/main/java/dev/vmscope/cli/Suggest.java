package dev.vmscope.cli;

import java.util.Collection;
import java.util.Locale;

/** "did you mean" for values picocli does not know in advance: decode kinds, explain formats. */
final class Suggest {
    private Suggest() {}

    /** The closest candidate within a third of the word's length (at least 2 edits), or null. */
    static String closest(String word, Collection<String> candidates) {
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestD = Math.max(2, w.length() / 3) + 1;
        for (String c : candidates) {
            int d = c.startsWith(w) && w.length() >= 3 ? 1 : distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestD) { bestD = d; best = c; }
        }
        return best;
    }

    /** " (did you mean 'x'?)" or "". */
    static String hint(String word, Collection<String> candidates) {
        String c = closest(word, candidates);
        return c == null ? "" : " (did you mean '" + c + "'?)";
    }

    /** Damerau-Levenshtein (optimal string alignment): a swapped pair is one edit, as in "explian". */
    static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) return Integer.MAX_VALUE;
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.length()][b.length()];
    }
}
