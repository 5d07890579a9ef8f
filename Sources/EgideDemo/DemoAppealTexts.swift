import App
import EgideCore
import Foundation

/// The words of the demo's appeals: fictional situations, in French (the original) and English.
enum DemoAppealTexts {
    struct Scenario {
        var titleFR: String
        var titleEN: String
        var factsFR: String
        var factsEN: String
        var asksFR: String
        var asksEN: String
        var theme: AppealTheme
    }

    /// `{name}` and `{country}` are filled in with the case's defender and country.
    static let scenarios: [Scenario] = [
        .init(titleFR: "{country} : détention arbitraire de {name}", titleEN: "{country}: arbitrary detention of {name}",
              factsFR: "de l'arrestation et de la détention arbitraire de **{name}**, arrêté à son domicile par des agents en civil, sans mandat, et conduit dans un lieu tenu secret pendant quarante-huit heures avant d'être présenté à un juge.",
              factsEN: "about the arrest and arbitrary detention of **{name}**, arrested at home by plain-clothes agents without a warrant and held in an undisclosed place for forty-eight hours before being brought before a judge.",
              asksFR: "libérer immédiatement et sans condition {name}", asksEN: "release {name} immediately and unconditionally", theme: .arbitraryDetention),
        .init(titleFR: "{country} : harcèlement judiciaire contre {name}", titleEN: "{country}: judicial harassment of {name}",
              factsFR: "des poursuites engagées contre **{name}** pour « diffusion de fausses nouvelles » après la publication d'un rapport sur les expulsions forcées ; l'audience a été renvoyée quatre fois.",
              factsEN: "about the prosecution of **{name}** for \"spreading false news\" after the publication of a report on forced evictions; the hearing has been postponed four times.",
              asksFR: "abandonner toutes les charges retenues contre {name}", asksEN: "drop all charges against {name}", theme: .judicialHarassment),
        .init(titleFR: "{country} : menaces de mort contre {name}", titleEN: "{country}: death threats against {name}",
              factsFR: "des menaces de mort reçues par **{name}** par téléphone et sur les réseaux sociaux depuis sa participation à une conférence de presse sur les violences policières.",
              factsEN: "about the death threats received by **{name}** by phone and on social media since a press conference on police violence.",
              asksFR: "enquêter sur ces menaces et protéger efficacement {name}", asksEN: "investigate these threats and protect {name} effectively", theme: .threats),
        .init(titleFR: "{country} : interdiction de voyager imposée à {name}", titleEN: "{country}: travel ban imposed on {name}",
              factsFR: "de l'interdiction de quitter le territoire notifiée à **{name}** à l'aéroport, alors qu'il se rendait à une session du Conseil des droits de l'homme.",
              factsEN: "about the travel ban notified to **{name}** at the airport, on the way to a session of the Human Rights Council.",
              asksFR: "lever l'interdiction de voyager visant {name}", asksEN: "lift the travel ban on {name}", theme: .travelBan),
        .init(titleFR: "{country} : disparition forcée de {name}", titleEN: "{country}: enforced disappearance of {name}",
              factsFR: "de la disparition de **{name}**, dont la famille est sans nouvelles depuis son interpellation à un barrage ; les autorités nient le détenir.",
              factsEN: "about the disappearance of **{name}**, whose family has had no news since an arrest at a checkpoint; the authorities deny holding them.",
              asksFR: "révéler sans délai le lieu où se trouve {name}", asksEN: "disclose without delay where {name} is held", theme: .enforcedDisappearance),
        .init(titleFR: "{country} : perquisition et saccage des locaux de l'association de {name}", titleEN: "{country}: raid on the office of {name}'s association",
              factsFR: "de la perquisition des locaux de l'association dirigée par **{name}** ; ordinateurs et archives ont été saisis sans inventaire.",
              factsEN: "about the raid on the office of the association led by **{name}**; computers and archives were seized without an inventory.",
              asksFR: "restituer le matériel saisi et garantir la liberté d'association", asksEN: "return the seized equipment and guarantee freedom of association", theme: .surveillance),
    ]

    static func fill(_ text: String, name: String, country: String) -> String {
        text.replacingOccurrences(of: "{name}", with: name).replacingOccurrences(of: "{country}", with: country)
    }

    static func body(_ scenario: Scenario, language: AppealLanguage, name: String, country: String, kind: AppealKind) -> AppealText {
        let french = language == .fr
        let title = fill(french ? scenario.titleFR : scenario.titleEN, name: name, country: country)
        let facts = fill(french ? scenario.factsFR : scenario.factsEN, name: name, country: country)
        let asks = fill(french ? scenario.asksFR : scenario.asksEN, name: name, country: country)
        switch kind {
        case .urgentAppeal:
            return AppealText(title: title, body: french ? """
                L'Observatoire pour la protection des défenseurs des droits humains a été informé par des sources fiables \(facts)

                L'Observatoire condamne ces faits, qui semblent viser uniquement à sanctionner ses activités légitimes de défense des droits humains.

                ## Actions requises

                Écrire aux autorités pour leur demander de :

                - garantir en toutes circonstances l'intégrité physique et psychologique de \(name) ;
                - \(asks) ;
                - se conformer à la Déclaration des Nations unies sur les défenseurs des droits de l'homme.

                Merci de nous informer de toute action entreprise en indiquant la référence de cet appel.
                """ : """
                The Observatory for the Protection of Human Rights Defenders has been informed by reliable sources \(facts)

                The Observatory condemns these acts, which seem to aim only at sanctioning legitimate human rights activities.

                ## Actions requested

                Please write to the authorities asking them to:

                - guarantee in all circumstances the physical and psychological integrity of \(name);
                - \(asks);
                - comply with the UN Declaration on Human Rights Defenders.

                Please inform us of any action undertaken, quoting the reference of this appeal.
                """)
        case .closedLetter:
            return AppealText(title: french ? "Lettre au ministre de la Justice au sujet de \(name)" : "Letter to the Minister of Justice about \(name)",
                              body: french ? "**Confidentiel — non destiné à la publication.**\n\nMonsieur le Ministre,\n\nNous souhaitons attirer votre attention sur la situation de \(name). Nous avons été informés \(facts)\n\nNous vous prions de \(asks).\n\nVeuillez agréer, Monsieur le Ministre, l'expression de notre haute considération."
                                  : "**Confidential — not for publication.**\n\nDear Minister,\n\nWe wish to draw your attention to the situation of \(name). We have been informed \(facts)\n\nWe respectfully ask you to \(asks).\n\nYours faithfully,")
        case .openLetter:
            return AppealText(title: french ? "Lettre ouverte : \(title)" : "Open letter: \(title)",
                              body: french ? "Madame, Monsieur,\n\nNos organisations ont été informées \(facts)\n\nNous vous demandons de :\n\n1. \(asks) ;\n2. garantir que les défenseurs puissent travailler sans crainte de représailles.\n\nLes organisations signataires"
                                  : "Dear Sir or Madam,\n\nOur organisations have been informed \(facts)\n\nWe ask you to:\n\n1. \(asks);\n2. ensure that defenders can work without fear of reprisals.\n\nThe undersigned organisations")
        case .statement, .pressRelease:
            let prefix = kind == .pressRelease ? (french ? "Communiqué : " : "Press release: ") : (french ? "Déclaration : " : "Statement: ")
            return AppealText(title: prefix + title,
                              body: french ? "Lyon, le jour même — Nos organisations ont été informées \(facts)\n\n« Nous demandons aux autorités de \(asks) », a déclaré notre coordination.\n\n## Contexte\n\nCes faits s'inscrivent dans une série d'atteintes aux défenseurs documentées depuis le début de l'année."
                                  : "Lyon, today — Our organisations have been informed \(facts)\n\n\"We call on the authorities to \(asks)\", our coordination said.\n\n## Background\n\nThese acts are part of a series of attacks on defenders documented since the start of the year.")
        case .report, .analysisNote:
            return AppealText(title: kind == .report ? (french ? "Rapport — \(country) : les défenseurs sous pression" : "Report: defenders under pressure in \(country)")
                                                     : (french ? "Note d'analyse — \(country) : l'espace civique" : "Analysis note: civic space in \(country)"),
                              body: french ? "## Résumé\n\nCe document fait le point sur la situation des défenseurs dans le pays (\(country)) au cours des six derniers mois.\n\n## Constats\n\n- Multiplication des poursuites pour « fausses nouvelles ».\n- Interdictions de voyager avant les sessions internationales.\n\n## Recommandations\n\n- Mettre fin au harcèlement judiciaire.\n- Garantir la liberté d'association."
                                  : "## Summary\n\nThis document reviews the situation of defenders in \(country) over the last six months.\n\n## Findings\n\n- More prosecutions for \"false news\".\n- Travel bans before international sessions.\n\n## Recommendations\n\n- End judicial harassment.\n- Guarantee freedom of association.")
        }
    }

    static func followUp(_ kind: FollowUpKind, language: AppealLanguage, name: String, original: String) -> AppealText {
        let french = language == .fr
        switch kind {
        case .release:
            return AppealText(title: french ? "Libération de \(name)" : "Release of \(name)",
                              body: french ? "L'Observatoire a été informé de la libération de **\(name)**, qu'il avait signalée dans son appel \(original). L'Observatoire remercie toutes les personnes et institutions intervenues et reste attentif à la suite de la procédure."
                                  : "The Observatory has been informed of the release of **\(name)**, reported in its appeal \(original). The Observatory thanks everyone who intervened and will keep following the proceedings.")
        case .sentencing:
            return AppealText(title: french ? "Condamnation de \(name)" : "Sentencing of \(name)",
                              body: french ? "L'Observatoire a été informé de la condamnation de **\(name)** à deux ans d'emprisonnement, à l'issue d'un procès inéquitable (voir l'appel \(original)).\n\n## Actions requises\n\n- Annuler cette condamnation."
                                  : "The Observatory has been informed of the sentencing of **\(name)** to two years in prison after an unfair trial (see appeal \(original)).\n\n## Actions requested\n\n- Quash this sentence.")
        case .newInformation, .other:
            return AppealText(title: french ? "Nouvelles informations : \(name)" : "New information: \(name)",
                              body: french ? "L'Observatoire a reçu de nouvelles informations sur la situation de **\(name)** (appel \(original)) : l'audience a été fixée et ses avocats n'ont toujours pas accès au dossier."
                                  : "The Observatory has received new information on the situation of **\(name)** (appeal \(original)): the hearing has been scheduled and the lawyers still have no access to the file.")
        }
    }

    static let targets: [(name: String, institution: String, address: String)] = [
        ("M. le Président de la République", "Présidence de la République", "Palais présidentiel — presidence@example.gov"),
        ("M. le Ministre de la Justice", "Ministère de la Justice", "Ministère de la Justice — cabinet.justice@example.gov"),
        ("S.E. l'Ambassadeur, Représentant permanent", "Mission permanente auprès de l'ONU à Genève", "Genève, Suisse — mission.geneve@example.gov"),
    ]
}
