'use strict';
// The registry's slug convention (datasets/slugs.py) for the admin's slug fields filled from a name as it is typed:
// every character but a letter or a digit becomes a hyphen (Django's own URLify drops dots: "GLM-4.6" would be
// "glm-46"). Django's URLify then drops accents and lowercases, as datasets.slugs.slug_of does.
{
    const djangoURLify = window.URLify;
    window.URLify = function(s, numChars, allowUnicode) {
        const words = s.replace(/[^A-Za-z0-9\u00C0-\u024F]+/g, ' ');
        return djangoURLify(words, numChars, allowUnicode).replace(/[-_]+/g, '-').replace(/^-+|-+$/g, '');
    };
}
